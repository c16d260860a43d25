import { daysBetween } from '$lib/days';
import type { EscalationLevel } from '$lib/types/events';

/** Days past the deadline after which an overdue problem escalates (SPEC §5; configurable). */
export interface EscalationLimits {
	city: number;
	province: number;
}

export const DEFAULT_LIMITS: EscalationLimits = { city: 7, province: 30 };

/** The level an item whose deadline is `deadline` is escalated to on `today`: more than `city` days late → city, more than `province` → province. */
export function escalationDue(deadline: string, today: string, limits: EscalationLimits): EscalationLevel | null {
	const late = daysBetween(deadline, today);
	return late > limits.province ? 'province' : late > limits.city ? 'city' : null;
}
