import { z } from 'zod';
import { addDays, dayOf, FIRST_DAY, isCalendarDay, LAST_DAY } from '$lib/days';

// What every string and date that reaches PostgreSQL must be, checked once at the edge: the
// query string and path in hooks.server.ts, JSON bodies in `body()`, form posts in `readForm`.

/** PostgreSQL text holds no NUL character: a value with one fails its query as a 500. */
export const NUL_MESSAGE = '不能含空字符（U+0000）';

/**
 * Where in a parsed value (a JSON body) the first string holding U+0000 is, as a field path
 * (`payload.description`, `events.2.key`); a key counts as well as a value. null when none.
 */
export function nulAt(value: unknown): string | null {
	// a stack, not recursion, and each path a link to its parent's: a 1 MB body may nest half a million arrays deep
	type Path = { key: string; parent: Path } | null;
	const named = (path: Path, last?: string) => {
		const keys = last === undefined ? [] : [shown(last)];
		for (let at = path; at; at = at.parent) keys.push(at.key);
		return keys.reverse().join('.');
	};
	const stack: [unknown, Path][] = [[value, null]];
	while (stack.length) {
		const [item, path] = stack.pop()!;
		if (typeof item === 'string') {
			if (item.includes('\u0000')) return named(path);
		} else if (item !== null && typeof item === 'object') {
			for (const [key, inner] of Object.entries(item).reverse()) {
				if (key.includes('\u0000')) return named(path, key);
				stack.push([inner, { key, parent: path }]);
			}
		}
	}
	return null;
}

// a NUL named in an answer as its escape, which every client shows
const shown = (name: string) => name.replaceAll('\u0000', '\\u0000');

/** The first name among `pairs` (a query string, a form) whose name or value holds U+0000. */
export function nulPair(pairs: Iterable<[string, unknown]>): string | null {
	for (const [name, value] of pairs) {
		if (name.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'))) return shown(name);
	}
	return null;
}

/** A day (YYYY-MM-DD) of the calendar between FIRST_DAY and LAST_DAY: a filter's bound, an audit range. */
export const calendarDay = z
	.string()
	// each check stops the rest: one message for a date, the first that applies
	.regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD', abort: true })
	.refine(isCalendarDay, { message: '没有这一天', abort: true })
	.refine((text) => text >= FIRST_DAY && text <= LAST_DAY, { message: `日期应在 ${FIRST_DAY} 到 ${LAST_DAY} 之间`, abort: true });

/** The day of a field record (a follow-up, a talk held): not before FIRST_DAY, not in the future. */
export const pastDay = calendarDay.refine((text) => text <= dayOf(), '日期不能晚于今天');

/** A deadline or a start: from today (as Asia/Shanghai counts it) to two years ahead. */
export const upcomingDay = calendarDay
	.refine((text) => text >= dayOf(), '日期不能早于今天')
	.refine((text) => text <= addDays(dayOf(), 731), '日期不能晚于两年以后');
