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
