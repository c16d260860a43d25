import { describe, expect, it } from 'vitest';
import { addDays, dayOf, isDay } from '../../src/lib/days';
import { calendarDay, nulAt, nulPair, pastDay, upcomingDay } from '../../src/lib/server/http/input';

const messages = (schema: typeof calendarDay, value: unknown) => {
	const result = schema.safeParse(value);
	return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe('the one date check', () => {
	it.each(['2000-01-01', '2020-03-02', '2024-02-29', '2100-12-31'])('takes %s', (day) => expect(isDay(day)).toBe(true));

	it.each(['0000-01-01', '1900-01-01', '1999-12-31', '2101-01-01', '9999-12-31', '2026-02-30', '2023-02-29', '2026-13-01', '2026-1-1', '', '+275760-09-13'])('refuses %s', (day) => {
		expect(isDay(day)).toBe(false);
		expect(messages(calendarDay, day)).toHaveLength(1);
	});

	it('says what is wrong, once', () => {
		expect(messages(calendarDay, '1900-01-01')).toEqual(['日期应在 2000-01-01 到 2100-12-31 之间']);
		expect(messages(calendarDay, '2026-02-30')).toEqual(['没有这一天']);
		expect(messages(calendarDay, 'yesterday')).toEqual(['日期格式应为 YYYY-MM-DD']);
	});

	it('keeps a record in the past and a deadline within two years, as Asia/Shanghai counts today', () => {
		expect(pastDay.safeParse(dayOf()).success).toBe(true);
		expect(messages(pastDay, addDays(dayOf(), 1))).toEqual(['日期不能晚于今天']);
		expect(upcomingDay.safeParse(dayOf()).success).toBe(true);
		expect(messages(upcomingDay, addDays(dayOf(), -1))).toEqual(['日期不能早于今天']);
		expect(messages(upcomingDay, addDays(dayOf(), 800))).toEqual(['日期不能晚于两年以后']);
	});
});

describe('the NUL check', () => {
	it('names the field of the first string holding U+0000, keys included, at any depth', () => {
		expect(nulAt({ a: 1, b: ['x', { c: 'y\u0000' }] })).toBe('b.1.c');
		expect(nulAt({ events: [{ payload: { 'k\u0000': 1 } }] })).toBe('events.0.payload.k\\u0000');
		expect(nulAt('\u0000')).toBe('');
		expect(nulAt({ a: 'ok', b: [1, null, true, { c: '' }] })).toBeNull();
		expect(nulPair(new URLSearchParams('a=1&b=x%00'))).toBe('b');
		expect(nulPair(new URLSearchParams('a=1'))).toBeNull();
	});

	it('walks a body nested half a million deep without overflowing the stack', () => {
		const deep = JSON.parse(`${'['.repeat(500_000)}"x"${']'.repeat(500_000)}`);
		expect(nulAt(deep)).toBeNull();
	});
});
