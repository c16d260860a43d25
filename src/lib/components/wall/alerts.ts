import type { IndicatorKey } from '$lib/indicators';
import type { LiveEvent } from '$lib/types/events';
import type { TourAlert } from './tour';

/** The indicators the unattended tour shows in turn. */
export const TOUR_INDICATORS: IndicatorKey[] = [
	'clinic_coverage',
	'gaps',
	'treatment_rate',
	'chronic_signed_rate',
	'followup_rate',
	'insurance_coverage',
	'overdue_problems',
	'composite'
];

type Translate = (id: string, options?: { values?: Record<string, string | number> }) => string;

/**
 * The events that break into the tour: a problem turning overdue or escalated, a problem put
 * under supervision, a team's finding. Anything else only moves the numbers.
 */
export function alertOf(event: LiveEvent, teamName: (id: string) => string | undefined, t: Translate): TourAlert | null {
	const payload = event.payload as Record<string, unknown>;
	const type = event.type as string;
	const base = { seq: event.seq, type, county: event.path.county };
	if (type === 'problem.overdue' || type === 'problem.supervised') {
		const parts = [payload.code, payload.deadline ? t('wall.alert.deadline', { values: { day: String(payload.deadline) } }) : null];
		if (payload.supervised || type === 'problem.supervised') parts.push(t('wall.alert.supervised'));
		return { ...base, detail: parts.filter(Boolean).join(' · ') };
	}
	// an overdue problem escalated to the city or the province (not its de-escalation when closed)
	if (type === 'problem.escalated' && payload.level) {
		const level = t(`escalation.${payload.level}`);
		return { ...base, detail: [payload.code, level, t('wall.alert.deadline', { values: { day: String(payload.deadline) } })].join(' · ') };
	}
	if (type === 'team.finding') {
		// team events are placed at the province (sealed); the finding names its own region
		const county = typeof payload.region === 'string' && payload.region.length >= 6 ? payload.region.slice(0, 6) : null;
		const team = typeof payload.team === 'string' ? (teamName(payload.team) ?? payload.team) : '';
		const category = typeof payload.category === 'string' ? t(`wall.alert.category.${payload.category}`) : '';
		return { ...base, county, detail: [team, payload.code, category].filter(Boolean).join(' · ') };
	}
	return null;
}
