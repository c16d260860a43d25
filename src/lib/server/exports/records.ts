import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Db } from '../db';
import { PATH_COLUMN, type Region } from '../geo/regions';
import {
	FACILITY_KIND_WORDS,
	IMPORT_COLUMNS,
	IMPORT_KIND_NAMES,
	PATIENT_CATEGORY_WORDS,
	PROBLEM_CATEGORY_WORDS,
	PROBLEM_SOURCE_WORDS,
	PROBLEM_STATUS_WORDS,
	type ImportKind
} from '$lib/types/imports';
import { attachment, csvLine, csvResponse } from './csv';

export type Headers = 'zh' | 'en';

const CURSOR_ROWS = 1_000;

/** Coded values as the file writes them: the Chinese word, or the identifier with English headers. */
const worded = (words: Record<string, string[]>, headers: Headers) => (value: string | null) => (value === null ? null : headers === 'en' ? value : (words[value]?.[0] ?? value));
const yesNo = (headers: Headers) => (value: boolean | null) => (value === null ? null : headers === 'en' ? String(value) : value ? '是' : '否');
const day = (value: unknown) => (value === null || value === undefined ? null : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10));

/**
 * The records of one kind inside `region`, as rows in the import's columns (IMPORT_COLUMNS), in
 * code order, read through a cursor: an export of a province's 605,000 patients streams.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function query(db: Db, kind: ImportKind, region: Region): { rows: AsyncIterable<any[]>; shape: (row: any, headers: Headers) => unknown[] } {
	const inside = (alias: string) => db`${db(alias)}.${db(PATH_COLUMN[region.level])} = ${region.code}`;
	switch (kind) {
		case 'villages':
			return {
				rows: db`select v.code, v.name, v.township_code, st_x(v.point) as lon, st_y(v.point) as lat, v.population, v.is_key
					from region v where v.level = 'village' and ${inside('v')} order by v.code`.cursor(CURSOR_ROWS),
				shape: (r, h) => [r.code, r.name, r.township_code, r.lon, r.lat, r.population, yesNo(h)(r.is_key)]
			};
		case 'facilities':
			return {
				rows: db`select f.id, f.name, f.kind, f.region_code, st_x(f.point) as lon, st_y(f.point) as lat, f.doctors, f.licensed_doctors, f.standard_met
					from facility f join region r on r.code = f.region_code where ${inside('r')} order by f.id`.cursor(CURSOR_ROWS),
				shape: (r, h) => [r.id, r.name, worded(FACILITY_KIND_WORDS, h)(r.kind), r.region_code, r.lon, r.lat, r.doctors, r.licensed_doctors, yesNo(h)(r.standard_met)]
			};
		case 'patients':
			return {
				rows: db`select p.id, p.village_code, p.category, p.disease, p.identified_on::text, p.treated_on::text, p.signed_on::text,
						p.followed_up_on::text, p.insured
					from patient p join region v on v.code = p.village_code where ${inside('v')} order by p.id`.cursor(CURSOR_ROWS),
				shape: (r, h) => [r.id, r.village_code, worded(PATIENT_CATEGORY_WORDS, h)(r.category), r.disease, r.identified_on, r.treated_on, r.signed_on, r.followed_up_on, yesNo(h)(r.insured)]
			};
		case 'problems':
			return {
				rows: db`select q.code, q.region_code, q.category, q.source, q.description, q.found_on::text, q.deadline::text,
						q.responsible_unit, q.responsible_leader, q.status
					from problem q join region r on r.code = q.region_code where ${inside('r')} order by q.code`.cursor(CURSOR_ROWS),
				shape: (r, h) => [
					r.code,
					r.region_code,
					worded(PROBLEM_CATEGORY_WORDS, h)(r.category),
					worded(PROBLEM_SOURCE_WORDS, h)(r.source),
					r.description,
					day(r.found_on),
					day(r.deadline),
					r.responsible_unit,
					r.responsible_leader,
					worded(PROBLEM_STATUS_WORDS, h)(r.status)
				]
			};
	}
}

export const headerRow = (kind: ImportKind, headers: Headers) => IMPORT_COLUMNS[kind].map((c) => (headers === 'en' ? c.key : c.zh));

const fileName = (kind: ImportKind, region: Region, ext: string) => `${IMPORT_KIND_NAMES[kind]}-${region.name}-${region.code}.${ext}`;

export function exportCsv(db: Db, kind: ImportKind, region: Region, headers: Headers): Response {
	const { rows, shape } = query(db, kind, region);
	async function* lines() {
		yield csvLine(headerRow(kind, headers));
		for await (const batch of rows) for (const row of batch) yield csvLine(shape(row, headers));
	}
	return csvResponse(lines(), fileName(kind, region, 'csv'));
}

/** The columns that hold codes are text in the workbook: Excel would otherwise show 12 digits as 3.71E+11. */
const CODE_COLUMNS = new Set(['code', 'id', 'township_code', 'village_code', 'region_code']);

/** A streamed workbook: its sheet written row by row (ExcelJS's streaming writer), never held whole. */
export function exportXlsx(db: Db, kind: ImportKind, region: Region, headers: Headers): Response {
	const { rows, shape } = query(db, kind, region);
	const out = new PassThrough();
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
	const sheet = workbook.addWorksheet(IMPORT_KIND_NAMES[kind]);
	styleColumns(sheet, kind);
	void (async () => {
		sheet.addRow(headerRow(kind, headers)).commit();
		for await (const batch of rows) {
			for (const row of batch) sheet.addRow(shape(row, headers)).commit();
			// the sheet's XML goes out as it is made; wait while the client is slower than the database
			if (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
		}
		sheet.commit();
		await workbook.commit();
	})().catch((error: Error) => out.destroy(error));
	return new Response(Readable.toWeb(out) as ReadableStream, {
		headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': attachment(fileName(kind, region, 'xlsx')) }
	});
}

export function styleColumns(sheet: ExcelJS.Worksheet, kind: ImportKind): void {
	sheet.columns = IMPORT_COLUMNS[kind].map((c) => ({
		key: c.key,
		width: Math.max(10, c.key === 'description' ? 50 : CODE_COLUMNS.has(c.key) ? 18 : c.zh.length * 2 + 4),
		style: CODE_COLUMNS.has(c.key) ? { numFmt: '@' } : {}
	}));
}
