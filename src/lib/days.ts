/**
 * Deadlines, "overdue" and "today" are days in Asia/Shanghai, whatever the time zone of the
 * server, the browser or the database (SPEC §5). The database connections use the same zone
 * (`current_date` there is this day too); code that decides a day in JS asks `dayOf`.
 */
export const TIME_ZONE = 'Asia/Shanghai';

const format = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The day (YYYY-MM-DD) in Asia/Shanghai at the instant `at`. */
export const dayOf = (at: Date | number = Date.now()): string => format.format(at);

/** `day` moved by `days` (negative: earlier), as YYYY-MM-DD. */
export function addDays(day: string, days: number): string {
	const date = new Date(`${day}T00:00:00Z`);
	date.setUTCDate(date.getUTCDate() + days);
	return date.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * The days any date this product takes may name: a deadline, a follow-up, a filter's bound, a
 * cell of an import. Outside them a date is a typo (year 0000, 1900, 9999), which PostgreSQL
 * would refuse or keep as nonsense.
 */
export const FIRST_DAY = '2000-01-01';
export const LAST_DAY = '2100-12-31';

/** Whether `text` is YYYY-MM-DD naming a day of the calendar (no 2 月 30 日), whatever its year. */
export function isCalendarDay(text: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
	const date = new Date(`${text}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** Whether `text` is a day of the calendar between FIRST_DAY and LAST_DAY. */
export const isDay = (text: string): boolean => isCalendarDay(text) && text >= FIRST_DAY && text <= LAST_DAY;
