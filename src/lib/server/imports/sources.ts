import { Readable } from 'node:stream';
import { parse as csvParser } from 'csv-parse';
import ExcelJS from 'exceljs';
import { ApiError } from '../http/errors';
import type { Cell } from './cells';
import { decodeText, type TextEncoding } from './decode';
import { headerKey } from './header';
import type { Upload } from './upload';

export type FileFormat = 'csv' | 'xlsx' | 'geojson';

/** One row of a file: its number as a spreadsheet shows it (the header is row 1) and its cells by position. */
export interface SourceRow {
	row: number;
	cells: Cell[];
	/** what is wrong with the row before its cells are read (a GeoJSON feature that is not a point) */
	problems?: { field: string; message: string }[];
}

/** A file being read: its header once found, then its rows as they arrive. */
export interface Source {
	format: FileFormat;
	encoding: TextEncoding | null;
	/** the header row, read before the first data row; null for an empty file */
	header(): Promise<SourceRow | null>;
	rows(): AsyncGenerator<SourceRow>;
}

/** A file's longest row (CSV), and the most rows a file may have. */
const MAX_RECORD_BYTES = 64 * 1024;
export const MAX_ROWS = 1_000_000;
/** GeoJSON is parsed whole: a province's 70,000 villages are about 20 MB of it. */
const GEOJSON_LIMIT = 40 * 1024 * 1024;

const unsupported = (what: string) =>
	new ApiError(415, 'unsupported_media_type', `${what}：请上传 CSV（UTF-8 或 GBK）、Excel .xlsx 或 GeoJSON 文件`);

/** What the file is, from its first bytes rather than its name or the declared type. */
export async function openSource(upload: Upload, { geojson }: { geojson: boolean }): Promise<Source> {
	const head = await upload.peek(8);
	if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return xlsxSource(upload);
	if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) throw unsupported('这是旧版 Excel .xls 文件，请另存为 .xlsx');
	if (head[0] === 0x25 && head[1] === 0x50 && head[2] === 0x44 && head[3] === 0x46) throw unsupported('这是 PDF 文件');
	const text = await upload.peek(64);
	const start = new TextDecoder().decode(text).replace(/^\uFEFF/, '').trimStart();
	if (start.startsWith('{') || start.startsWith('[')) {
		if (!geojson) throw unsupported('这类数据不接受 GeoJSON');
		return geojsonSource(upload);
	}
	return csvSource(upload);
}

function csvSource(upload: Upload): Source {
	let encoding: TextEncoding | null = null;
	const text = decodeText(upload.chunks(), (found) => (encoding = found));
	const parser = csvParser({ record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: MAX_RECORD_BYTES });
	const input = Readable.from(text, { objectMode: false });
	input.on('error', (error) => parser.destroy(error));
	input.pipe(parser);
	const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
	let row = 0;
	const next = async (): Promise<SourceRow | null> => {
		let result: IteratorResult<string[]>;
		try {
			result = await records.next();
		} catch (error) {
			if (error instanceof ApiError) throw error;
			const code = (error as { code?: string }).code ?? '';
			const at = row + 1;
			if (code === 'CSV_MAX_RECORD_SIZE') throw rowError(at, `第 ${at} 行过长（超过 ${MAX_RECORD_BYTES / 1024} KB），可能有未闭合的引号`);
			if (code.startsWith('CSV_')) throw rowError(at, `第 ${at} 行附近的 CSV 格式有误（${quoteHint(code)}）`);
			throw error;
		}
		if (result.done) return null;
		row++;
		if (row > MAX_ROWS + 1) throw tooManyRows();
		return { row, cells: result.value };
	};
	return {
		format: 'csv',
		get encoding() {
			return encoding;
		},
		async header() {
			for (let r = await next(); r; r = await next()) if (!blank(r.cells)) return r;
			return null;
		},
		async *rows() {
			for (let r = await next(); r; r = await next()) yield r;
		}
	};
}

const quoteHint = (code: string) =>
	code === 'CSV_QUOTE_NOT_CLOSED' ? '引号没有闭合' : code === 'CSV_INVALID_CLOSING_QUOTE' ? '引号后面紧跟了其他字符' : '无法解析';

const rowError = (row: number, message: string) => new ApiError(422, 'invalid_file', message, [{ row, field: '', message }]);
const tooManyRows = () => new ApiError(413, 'too_many_rows', `文件超过 ${MAX_ROWS.toLocaleString('en-US')} 行，请拆分后分批导入`);

export const blank = (cells: Cell[]): boolean => cells.every((cell) => cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === ''));

/** A cell of ExcelJS as a plain value: rich text as its text, a formula as its result, an error as its code. */
function xlsxCell(value: unknown): Cell {
	if (value === null || value === undefined) return null;
	if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
	if (typeof value === 'object') {
		const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: string };
		if (v.richText) return v.richText.map((part) => part.text).join('');
		if ('result' in v) return xlsxCell(v.result);
		if (typeof v.text === 'string') return v.text;
		if (v.error) return v.error;
	}
	return String(value);
}

/** The first sheet of a workbook, row by row, as ExcelJS's streaming reader gives it (dates as dates). */
function xlsxSource(upload: Upload): Source {
	const input = Readable.from(upload.chunks());
	const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
	let rows: AsyncIterator<ExcelJS.Row> | null = null;
	const firstSheet = async (): Promise<AsyncIterator<ExcelJS.Row> | null> => {
		try {
			for await (const sheet of reader) return (sheet as unknown as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]();
		} catch (error) {
			throw notAWorkbook(error);
		}
		return null;
	};
	const next = async (): Promise<SourceRow | null> => {
		rows ??= await firstSheet();
		if (!rows) return null;
		let result: IteratorResult<ExcelJS.Row>;
		try {
			result = await rows.next();
		} catch (error) {
			throw notAWorkbook(error);
		}
		if (result.done) return null;
		const row = result.value;
		if (row.number > MAX_ROWS + 1) throw tooManyRows();
		const values = Array.isArray(row.values) ? row.values : [];
		const cells: Cell[] = [];
		for (let i = 1; i < values.length; i++) cells.push(xlsxCell(values[i]));
		return { row: row.number, cells };
	};
	return {
		format: 'xlsx',
		encoding: null,
		async header() {
			for (let r = await next(); r; r = await next()) if (!blank(r.cells)) return r;
			return null;
		},
		async *rows() {
			try {
				for (let r = await next(); r; r = await next()) yield r;
			} finally {
				// the other sheets are not read: the upload stops here
				upload.stop();
				input.destroy();
			}
		}
	};
}

function notAWorkbook(error: unknown): ApiError {
	if (error instanceof ApiError) return error;
	return new ApiError(422, 'invalid_file', '无法读取该 Excel 文件：文件可能已损坏或不是 .xlsx 格式，请用 Excel 打开后另存为 .xlsx', [
		{ row: 1, field: '', message: '无法读取该 Excel 文件' }
	]);
}

const COORDINATES = new Set(['lon', 'lat', '经度', '纬度', 'longitude', 'latitude'].map(headerKey));

interface Feature {
	type?: unknown;
	geometry?: { type?: unknown; coordinates?: unknown } | null;
	properties?: Record<string, unknown> | null;
}

/**
 * GeoJSON points (a FeatureCollection, or a single Feature): each feature a row numbered as
 * if under a header row (the first feature is row 2), its properties the columns, its point
 * the longitude and latitude.
 */
async function geojsonSource(upload: Upload): Promise<Source> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await upload.all(GEOJSON_LIMIT)));
	} catch (error) {
		if (error instanceof ApiError) throw error;
		throw new ApiError(422, 'invalid_file', '文件不是合法的 GeoJSON（JSON 格式有误或不是 UTF-8 编码）', [{ row: 1, field: '', message: '文件不是合法的 GeoJSON' }]);
	}
	const collection = parsed as { type?: unknown; features?: unknown };
	const features: Feature[] | null =
		collection?.type === 'FeatureCollection' && Array.isArray(collection.features) ? (collection.features as Feature[]) : collection?.type === 'Feature' ? [collection as Feature] : null;
	if (!features) throw new ApiError(422, 'invalid_file', 'GeoJSON 应为要素集合（FeatureCollection）', [{ row: 1, field: '', message: 'GeoJSON 应为要素集合（FeatureCollection）' }]);
	if (features.length > MAX_ROWS) throw tooManyRows();
	const names: string[] = [];
	const seen = new Set<string>();
	for (const feature of features) {
		const properties = feature && typeof feature === 'object' && feature.properties && typeof feature.properties === 'object' ? feature.properties : {};
		for (const key of Object.keys(properties)) {
			// the point's coordinates come from the geometry
			if (seen.has(key) || names.length >= 200 || COORDINATES.has(headerKey(key))) continue;
			seen.add(key);
			names.push(key);
		}
	}
	const lon = names.length;
	const header = [...names, 'lon', 'lat'];
	return {
		format: 'geojson',
		encoding: 'utf-8',
		async header() {
			return { row: 1, cells: header };
		},
		async *rows() {
			for (let i = 0; i < features.length; i++) {
				const feature = features[i];
				const row = i + 2;
				const properties = feature && typeof feature === 'object' && feature.properties && typeof feature.properties === 'object' ? feature.properties : {};
				const cells: Cell[] = names.map((name) => geojsonValue(properties[name]));
				const point = pointOf(feature);
				if (point === 'bad') {
					yield { row, cells, problems: [{ field: 'lon', message: '要素的几何应为点（Point），坐标为经度、纬度两个数字' }] };
					continue;
				}
				if (point) {
					cells[lon] = point[0];
					cells[lon + 1] = point[1];
				}
				yield { row, cells };
			}
		}
	};
}

const geojsonValue = (value: unknown): Cell =>
	value === null || value === undefined ? null : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value).slice(0, 200);

/** A feature's [lon, lat]; null without geometry; 'bad' for a geometry that is not a point of two numbers. */
function pointOf(feature: Feature): [number, number] | null | 'bad' {
	if (!feature || typeof feature !== 'object' || feature.geometry === null || feature.geometry === undefined) return null;
	const { type, coordinates } = feature.geometry;
	if (type !== 'Point' || !Array.isArray(coordinates) || coordinates.length < 2) return 'bad';
	const [x, y] = coordinates;
	return typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) ? [x, y] : 'bad';
}
