/** How the ledger's pages word a deadline against today (Asia/Shanghai). */
import { dayOf, daysBetween } from '$lib/days';
import type { ProblemItem } from '$lib/types/problems';

export type Translate = (id: string, options?: { values?: Record<string, string | number> }) => string;

export function dueText(item: Pick<ProblemItem, 'deadline' | 'status' | 'days_overdue'>, t: Translate, today = dayOf()): string {
	if (item.status === 'closed') return '';
	if (item.days_overdue > 0) return t('ledger.daysOverdue', { values: { n: item.days_overdue } });
	const left = daysBetween(today, item.deadline);
	return left === 0 ? t('ledger.dueToday') : left > 0 && left <= 30 ? t('ledger.dueIn', { values: { n: left } }) : '';
}

/** The URL of the ledger with `changes` applied to `params` (undefined removes one). */
export function withParams(path: string, params: URLSearchParams, changes: Record<string, string | undefined>): string {
	const next = new URLSearchParams(params);
	for (const [key, value] of Object.entries(changes)) {
		if (value === undefined || value === '') next.delete(key);
		else next.set(key, value);
	}
	const text = next.toString();
	return text ? `${path}?${text}` : path;
}
