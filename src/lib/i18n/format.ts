import type { IndicatorKey } from '$lib/indicators';
import { INDICATORS } from '$lib/indicators';

/**
 * Numbers, dates and durations in the wall's language. Chinese is the default; numbers keep
 * zh-CN grouping either way so that the figures read the same on both.
 */
const NUMBER_LOCALE = 'zh-CN';

const formats = {
	percent: new Intl.NumberFormat(NUMBER_LOCALE, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }),
	integer: new Intl.NumberFormat(NUMBER_LOCALE, { maximumFractionDigits: 0 }),
	score: new Intl.NumberFormat(NUMBER_LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
	points: new Intl.NumberFormat(NUMBER_LOCALE, { signDisplay: 'exceptZero', minimumFractionDigits: 1, maximumFractionDigits: 2 }),
	signed: new Intl.NumberFormat(NUMBER_LOCALE, { signDisplay: 'exceptZero', maximumFractionDigits: 0 })
};

export function formatValue(kind: 'rate' | 'count' | 'score', value: number | null | undefined): string {
	if (value === null || value === undefined) return '—';
	if (kind === 'rate') return formats.percent.format(value);
	if (kind === 'count') return formats.integer.format(value);
	return formats.score.format(value);
}

export const formatIndicatorValue = (key: IndicatorKey, value: number | null | undefined) => formatValue(INDICATORS[key].kind, value);

/** A change of a rate in percentage points, of a count in units. */
export function formatChange(key: IndicatorKey, change: number | null | undefined): string {
	if (change === null || change === undefined) return '—';
	const kind = INDICATORS[key].kind;
	if (kind === 'rate') return `${formats.points.format(change * 100)} pp`;
	if (kind === 'count') return formats.signed.format(change);
	return formats.points.format(change);
}

export const formatInteger = (n: number) => formats.integer.format(n);

const time = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
const date = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short', timeZone: 'Asia/Shanghai' });
const day = new Intl.DateTimeFormat('zh-CN', { month: 'numeric', day: 'numeric', timeZone: 'UTC' });

/** Clock time in the province's time zone (the campaign's deadlines are Beijing days). */
export const formatTime = (at: Date | string | number) => time.format(new Date(at));
export const formatDate = (at: Date | string | number) => date.format(new Date(at));
const dateTime = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
/** An instant as day and minute in the province's time zone (a ledger's timeline). */
export const formatDateTime = (at: Date | string | number) => dateTime.format(new Date(at));
/** A calendar day (YYYY-MM-DD) as month and day. */
export const formatDay = (text: string) => day.format(new Date(`${text}T00:00:00Z`));

/** Days, hours, minutes and seconds until `ms` from now, as "97 天 12:03:44" parts. */
export function countdownParts(ms: number): { days: number; clock: string } {
	const total = Math.max(0, Math.floor(ms / 1000));
	const days = Math.floor(total / 86_400);
	const pad = (n: number) => String(n).padStart(2, '0');
	const rest = total % 86_400;
	return { days, clock: `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}` };
}

/** A silence length as the largest sensible unit: minutes, hours or days. */
export function durationParts(ms: number): { unit: 'minutes' | 'hours' | 'days'; n: number } {
	const minutes = Math.floor(ms / 60_000);
	if (minutes < 120) return { unit: 'minutes', n: Math.max(0, minutes) };
	const hours = Math.floor(minutes / 60);
	if (hours < 48) return { unit: 'hours', n: hours };
	return { unit: 'days', n: Math.floor(hours / 24) };
}
