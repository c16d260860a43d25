import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { baseUrl } from './api';

export interface UploadOptions {
	cookie: string;
	dryRun?: boolean;
	job?: string;
	name?: string;
	contentType?: string;
}

/** Posts a file's bytes to the import of `kind`, as the admin page does. */
export async function upload(kind: string, body: Uint8Array | string, options: UploadOptions) {
	const params = new URLSearchParams();
	if (options.dryRun) params.set('dry_run', '1');
	if (options.job) params.set('job', options.job);
	if (options.name) params.set('name', options.name);
	const res = await fetch(`${baseUrl()}/api/imports/${kind}?${params}`, {
		method: 'POST',
		headers: { cookie: options.cookie, 'content-type': options.contentType ?? 'text/csv', 'x-forwarded-for': '127.0.14.1' },
		body: (typeof body === 'string' ? new TextEncoder().encode(body) : body) as BodyInit
	});
	const text = await res.text();
	let json: any = null;
	try {
		json = JSON.parse(text);
	} catch {
		// not JSON: the test looks at the text
	}
	return { status: res.status, body: json, text };
}

const quote = (value: unknown) => {
	const text = value === null || value === undefined ? '' : String(value);
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Rows as CSV text with CRLF lines, as Excel writes it. */
export const csv = (rows: unknown[][]) => rows.map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n';

export const utf8 = (text: string) => new TextEncoder().encode(text);
export const utf8Bom = (text: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]);
/** What Excel's “CSV (逗号分隔)” writes on a Chinese Windows. */
export const gbk = (text: string) => new Uint8Array(iconv.encode(text, 'gbk'));

/** A workbook whose first sheet holds `rows` (dates as date cells, numbers as numbers); a second sheet is ignored. */
export async function xlsx(rows: unknown[][]): Promise<Uint8Array> {
	const workbook = new ExcelJS.Workbook();
	const sheet = workbook.addWorksheet('数据');
	for (const row of rows) sheet.addRow(row);
	sheet.getColumn(1).numFmt = '@';
	workbook.addWorksheet('说明').addRow(['这一页不读']);
	return new Uint8Array((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}

/** Reads the first sheet of a workbook as rows of cell values. */
export async function readXlsx(bytes: ArrayBuffer): Promise<unknown[][]> {
	const workbook = new ExcelJS.Workbook();
	await workbook.xlsx.load(bytes);
	const rows: unknown[][] = [];
	workbook.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
	return rows;
}
