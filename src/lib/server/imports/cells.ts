import { NO_WORDS, YES_WORDS, type ImportColumn, type ImportError } from '$lib/types/imports';
import { FIRST_DAY, isDay, LAST_DAY } from '$lib/days';

/** A cell as a file gives it: text from CSV, and from .xlsx also numbers, booleans and dates. */
export type Cell = string | number | boolean | Date | null | undefined;

/** Full-width digits, letters and signs as their ASCII selves (１２３ → 123, －→ -), trimmed. */
export const plain = (text: string): string => text.normalize('NFKC').trim();

const YES = new Set(YES_WORDS.map((w) => plain(w).toLowerCase()));
const NO = new Set(NO_WORDS.map((w) => plain(w).toLowerCase()));

const DAY_MS = 86_400_000;
// Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in for every day after February 1900)
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

const pad = (n: number) => String(n).padStart(2, '0');
const isoDay = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`;

/** Whether y-m-d is a day the product takes (no 2 月 30 日, no year 0000 or 1900: `isDay`). */
const realDay = (y: number, m: number, d: number): boolean => isDay(isoDay(y, m, d));

const fromSerial = (serial: number) => new Date(EXCEL_EPOCH + Math.floor(serial) * DAY_MS);

/**
 * Reads the cells of one row by column, and collects what is wrong with them: each reader
 * returns the value, or null when the cell is blank or bad (a bad cell adds an error).
 */
export class RowCheck {
	readonly errors: ImportError[] = [];

	constructor(
		readonly row: number,
		private readonly cells: Map<string, Cell>,
		private readonly columns: Map<string, ImportColumn>
	) {}

	private name(field: string): string {
		return `「${this.columns.get(field)?.zh ?? field}」`;
	}

	fail(field: string, message: string): null {
		this.errors.push({ row: this.row, field, message });
		return null;
	}

	/** The cell as trimmed text, '' when blank; a date cell as its day; text an export marked with an apostrophe without it. */
	raw(field: string): string {
		const cell = this.cells.get(field);
		if (cell === null || cell === undefined) return '';
		if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
		const text = String(cell).trim();
		return /^'[=+@]/.test(text) ? text.slice(1) : text;
	}

	private missing(field: string, required: boolean): null {
		return required ? this.fail(field, `${this.name(field)}不能为空`) : null;
	}

	/** Free text (names, descriptions): trimmed, at most `max` characters, no control characters. */
	text(field: string, { required, max }: { required: boolean; max: number }): string | null {
		const text = this.raw(field);
		if (!text) return this.missing(field, required);
		if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return this.fail(field, `${this.name(field)}含有不可见的控制字符，请删除后重新保存`);
		if ([...text].length > max) return this.fail(field, `${this.name(field)}最多${max}个字，现有${[...text].length}个`);
		return text;
	}

	/** A code or id matching `pattern`; `what` says what it should look like. */
	code(field: string, pattern: RegExp, what: string, required = true): string | null {
		const cell = this.cells.get(field);
		let text: string;
		if (typeof cell === 'number') {
			if (!Number.isSafeInteger(cell)) return this.fail(field, `${this.name(field)}应为${what}，现为 ${cell}`);
			text = String(cell);
		} else text = plain(this.raw(field));
		if (!text) return this.missing(field, required);
		if (/^\d(\.\d+)?e\+\d+$/i.test(text)) {
			return this.fail(field, `${this.name(field)}被 Excel 显示成了科学计数法（${text}），已丢失数字：请把该列设为“文本”格式，重新填写后保存`);
		}
		if (!pattern.test(text)) return this.fail(field, `${this.name(field)}应为${what}，现为「${text.slice(0, 40)}」`);
		return text;
	}

	/** A number in [min, max]; `integer` refuses fractions. */
	number(field: string, { required, min, max, integer = false }: { required: boolean; min: number; max: number; integer?: boolean }): number | null {
		const cell = this.cells.get(field);
		let value: number;
		if (typeof cell === 'number') value = cell;
		else {
			const text = plain(this.raw(field)).replace(/[,\s]/g, '');
			if (!text) return this.missing(field, required);
			if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return this.fail(field, `${this.name(field)}应为数字，现为「${this.raw(field).slice(0, 40)}」`);
			value = Number(text);
		}
		if (!Number.isFinite(value)) return this.fail(field, `${this.name(field)}应为数字`);
		if (integer && !Number.isInteger(value)) return this.fail(field, `${this.name(field)}应为整数，现为 ${value}`);
		if (value < min || value > max) return this.fail(field, `${this.name(field)}应在 ${min} 到 ${max} 之间，现为 ${value}`);
		return value;
	}

	/** 是/否 and the like; null when blank. */
	bool(field: string): boolean | null {
		const cell = this.cells.get(field);
		if (typeof cell === 'boolean') return cell;
		if (typeof cell === 'number' && (cell === 0 || cell === 1)) return cell === 1;
		const text = plain(this.raw(field)).toLowerCase();
		if (!text) return null;
		if (YES.has(text)) return true;
		if (NO.has(text)) return false;
		return this.fail(field, `${this.name(field)}应填“是”或“否”，现为「${this.raw(field).slice(0, 20)}」`);
	}

	/** One of the coded values of `words` (the identifier or any of its words); null when blank. */
	word<T extends string>(field: string, words: Record<T, string[]>, required: boolean): T | null {
		const text = plain(this.raw(field)).toLowerCase();
		if (!text) return this.missing(field, required);
		for (const [value, names] of Object.entries(words) as [T, string[]][]) {
			if (value === text || names.some((name) => plain(name).toLowerCase() === text)) return value;
		}
		const allowed = (Object.values(words) as string[][]).map((names) => names[0]).join('、');
		return this.fail(field, `${this.name(field)}「${this.raw(field).slice(0, 20)}」无法识别，应为 ${allowed} 之一`);
	}

	/**
	 * A day, YYYY-MM-DD: from a date cell, an Excel day number, or text as offices write it
	 * (2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日, 20200105, with or without a time).
	 */
	date(field: string, required: boolean): string | null {
		const cell = this.cells.get(field);
		const bad = (shown: string) => this.fail(field, `${this.name(field)}不是有效的日期：${shown}（应如 2020-01-05，在 ${FIRST_DAY} 到 ${LAST_DAY} 之间）`);
		if (cell instanceof Date) {
			if (Number.isNaN(cell.getTime())) return bad('无效日期');
			const [y, m, d] = [cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate()];
			return realDay(y, m, d) ? isoDay(y, m, d) : bad(isoDay(y, m, d));
		}
		const text = typeof cell === 'number' ? String(cell) : plain(this.raw(field));
		if (!text) return this.missing(field, required);
		let parts: RegExpMatchArray | null;
		if ((parts = text.match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/))
			|| (parts = text.match(/^(\d{4})(\d{2})(\d{2})$/))) {
			const [y, m, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
			return realDay(y, m, d) ? isoDay(y, m, d) : bad(text);
		}
		// a day number, as Excel stores a date cell (1 = 1900-01-01; 43831 = 2020-01-01)
		if (/^\d{1,5}(\.\d+)?$/.test(text)) {
			const day = fromSerial(Number(text));
			const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
			return realDay(y, m, d) ? isoDay(y, m, d) : bad(text);
		}
		return bad(text.slice(0, 40));
	}
}
