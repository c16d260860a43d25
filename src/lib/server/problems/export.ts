import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Region } from '../geo/regions';
import { ApiError } from '../http/errors';
import type { ProblemItem } from '$lib/types/problems';
import zh from '$lib/i18n/messages/zh-CN';
import { countProblems, eachProblem, type LedgerFilters } from './ledger';

/** An export holds at most this many rows (a province at real size has ~2,000): narrow the filter past it. */
export const EXPORT_MAX_ROWS = 50_000;

const yes = (value: boolean) => (value ? '是' : '否');

/** The export's columns, Chinese headers, each read from one ledger item. */
export const EXPORT_COLUMNS: { header: string; value: (item: ProblemItem) => string | number }[] = [
	{ header: '问题编号', value: (p) => p.code },
	{ header: '所在市', value: (p) => p.city?.name ?? '' },
	{ header: '所在县（市、区）', value: (p) => p.county.name },
	{ header: '问题地点', value: (p) => p.region.name },
	{ header: '地区代码', value: (p) => p.region.code },
	{ header: '问题类别', value: (p) => zh.problemCategory[p.category] },
	{ header: '问题来源', value: (p) => zh.problemSource[p.source] },
	{ header: '问题描述', value: (p) => p.description },
	{ header: '发现日期', value: (p) => p.found_on },
	{ header: '整改期限', value: (p) => p.deadline },
	{ header: '责任单位', value: (p) => p.responsible_unit },
	{ header: '责任领导', value: (p) => p.responsible_leader },
	{ header: '整改状态', value: (p) => zh.problemStatus[p.status] },
	{ header: '是否逾期', value: (p) => yes(p.overdue) },
	{ header: '逾期天数', value: (p) => p.days_overdue },
	{ header: '升级督办', value: (p) => (p.escalation ? zh.escalation[p.escalation] : '') },
	{ header: '挂牌督办', value: (p) => yes(p.supervised) }
];

// a cell that a spreadsheet would run as a formula is kept as text
const safeText = (value: string | number) => (typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

const csvCell = (value: string | number) => {
	const text = String(safeText(value));
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

async function bounded(within: Region, f: LedgerFilters): Promise<void> {
	const total = await countProblems(within, f);
	if (total > EXPORT_MAX_ROWS) throw new ApiError(422, 'export_too_large', `筛选结果共 ${total} 条，超过导出上限 ${EXPORT_MAX_ROWS} 条，请缩小筛选范围`);
}

const disposition = (name: string, ext: string) => `attachment; filename="problems.${ext}"; filename*=UTF-8''${encodeURIComponent(`${name}.${ext}`)}`;

/** UTF-8 with a BOM, so that Excel opens it in Chinese; streamed a batch at a time. */
export async function csvExport(within: Region, f: LedgerFilters, name: string): Promise<Response> {
	await bounded(within, f);
	const encoder = new TextEncoder();
	const rows = eachProblem(within, f);
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode('\uFEFF' + EXPORT_COLUMNS.map((c) => csvCell(c.header)).join(',') + '\r\n'));
		},
		async pull(controller) {
			let chunk = '';
			for (let i = 0; i < 200; i++) {
				const next = await rows.next();
				if (next.done) {
					if (chunk) controller.enqueue(encoder.encode(chunk));
					controller.close();
					return;
				}
				chunk += EXPORT_COLUMNS.map((c) => csvCell(c.value(next.value))).join(',') + '\r\n';
			}
			controller.enqueue(encoder.encode(chunk));
		},
		async cancel() {
			await rows.return(undefined);
		}
	});
	return new Response(stream, { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition(name, 'csv'), 'cache-control': 'no-store' } });
}

/** One sheet, Chinese headers, written by ExcelJS's streaming writer as the rows come. */
export async function xlsxExport(within: Region, f: LedgerFilters, name: string): Promise<Response> {
	await bounded(within, f);
	const out = new PassThrough();
	const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
	const sheet = workbook.addWorksheet('问题台账');
	sheet.columns = EXPORT_COLUMNS.map((c) => ({ header: c.header, key: c.header, width: c.header === '问题描述' ? 60 : 16 }));
	const write = async () => {
		for await (const item of eachProblem(within, f)) sheet.addRow(EXPORT_COLUMNS.map((c) => safeText(c.value(item)))).commit();
		sheet.commit();
		await workbook.commit();
	};
	write().catch((error) => out.destroy(error as Error));
	return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, {
		headers: {
			'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			'content-disposition': disposition(name, 'xlsx'),
			'cache-control': 'no-store'
		}
	});
}
