import { IMPORT_COLUMNS, type ImportColumn, type ImportError, type ImportKind } from '$lib/types/imports';
import { plain } from './cells';

/** A header as it is compared: full-width folded, lower case, without spaces, underscores, a required mark or a trailing note in brackets. */
export const headerKey = (name: string): string =>
	plain(name)
		.toLowerCase()
		.replace(/[(][^()]*[)]$/, '')
		.replace(/[\s_*]/g, '');

const lookup = new Map<ImportKind, Map<string, ImportColumn>>();
for (const [kind, columns] of Object.entries(IMPORT_COLUMNS) as [ImportKind, ImportColumn[]][]) {
	const names = new Map<string, ImportColumn>();
	for (const column of columns) for (const name of [column.key, column.zh, ...(column.aliases ?? [])]) names.set(headerKey(name), column);
	lookup.set(kind, names);
}

export interface Header {
	/** the position of each column's cells in a row */
	positions: Map<string, number>;
	columns: Map<string, ImportColumn>;
	ignored: string[];
	errors: ImportError[];
}

/** Which column each header cell names, in any order; a missing required column or one named twice is an error of the header row. */
export function readHeader(kind: ImportKind, names: string[], row: number, { impliedColumns = [] as string[] } = {}): Header {
	const known = lookup.get(kind)!;
	const positions = new Map<string, number>();
	const ignored: string[] = [];
	const errors: ImportError[] = [];
	names.forEach((name, i) => {
		const text = plain(name ?? '');
		if (!text) return;
		// a NUL and its kin are no column's name, and could not be kept in the import's report
		if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
			errors.push({ row, field: '', message: `第 ${i + 1} 列的表头含有不可见的控制字符，请删除后重新保存` });
			return;
		}
		const column = known.get(headerKey(text));
		if (!column) {
			ignored.push(text.slice(0, 40));
			return;
		}
		if (positions.has(column.key)) {
			errors.push({ row, field: column.key, message: `列「${column.zh}」出现了不止一次（第 ${positions.get(column.key)! + 1} 列和第 ${i + 1} 列）` });
			return;
		}
		positions.set(column.key, i);
	});
	const columns = new Map(IMPORT_COLUMNS[kind].map((c) => [c.key, c]));
	for (const column of IMPORT_COLUMNS[kind]) {
		if (column.required && !positions.has(column.key) && !impliedColumns.includes(column.key)) {
			errors.push({ row, field: column.key, message: `缺少必填列「${column.zh}」（${column.key}）：请检查表头是否与模板一致` });
		}
	}
	return { positions, columns, ignored, errors };
}
