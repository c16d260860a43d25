import ExcelJS from 'exceljs';
import { IMPORT_COLUMNS, IMPORT_KIND_NAMES, type ImportKind } from '$lib/types/imports';
import { attachment, BOM, csvLine } from './csv';
import { headerRow, styleColumns } from './records';

/** The empty file an office fills in: the Chinese header row, nothing else (CSV, UTF-8 for Excel). */
export function csvTemplate(kind: ImportKind): Response {
	return new Response(BOM + csvLine(headerRow(kind, 'zh')), {
		headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': attachment(`${IMPORT_KIND_NAMES[kind]}导入模板.csv`) }
	});
}

/** The same as a workbook: the header on the first sheet (codes as text), what each column takes on the second. */
export async function xlsxTemplate(kind: ImportKind): Promise<Response> {
	const workbook = new ExcelJS.Workbook();
	const sheet = workbook.addWorksheet(IMPORT_KIND_NAMES[kind]);
	styleColumns(sheet, kind);
	const header = sheet.addRow(headerRow(kind, 'zh'));
	header.font = { bold: true };
	sheet.views = [{ state: 'frozen', ySplit: 1 }];
	const notes = workbook.addWorksheet('填写说明');
	notes.columns = [
		{ header: '列名', key: 'zh', width: 18 },
		{ header: '英文列名', key: 'key', width: 18 },
		{ header: '必填', key: 'required', width: 8 },
		{ header: '说明', key: 'hint', width: 70 }
	];
	notes.getRow(1).font = { bold: true };
	for (const column of IMPORT_COLUMNS[kind]) notes.addRow({ zh: column.zh, key: column.key, required: column.required ? '是' : '否', hint: column.hint });
	notes.addRow({});
	notes.addRow({ zh: '注意', hint: '只读取第一个工作表；表头须在第一行；列的顺序不限；代码列请保持“文本”格式，以免 Excel 改成科学计数法。' });
	const buffer = await workbook.xlsx.writeBuffer();
	return new Response(new Uint8Array(buffer as ArrayBuffer), {
		headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': attachment(`${IMPORT_KIND_NAMES[kind]}导入模板.xlsx`) }
	});
}
