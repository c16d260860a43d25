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
	const base = { seq: event.seq, type: event.type, county: event.path.county };
	const due = (day: string) => t('wall.alert.deadline', { values: { day } });
	if (event.type === 'problem.overdue' || event.type === 'problem.supervised') {
		const parts = [event.payload.code, event.payload.deadline ? due(event.payload.deadline) : null];
		if (event.type === 'problem.supervised' || event.payload.supervised) parts.push(t('wall.alert.supervised'));
		return { ...base, detail: parts.filter(Boolean).join(' · ') };
	}
	// an overdue problem escalated to the city or the province (not its de-escalation when closed)
	if (event.type === 'problem.escalated' && event.payload.level) {
		const level = t(`escalation.${event.payload.level}`);
		return { ...base, detail: [event.payload.code, level, due(event.payload.deadline)].join(' · ') };
	}
	if (event.type === 'team.finding') {
		// team events are placed at the province (sealed); the finding names its own region
		const { region, team, code, category } = event.payload;
		const county = region.length >= 6 ? region.slice(0, 6) : null;
		return { ...base, county, detail: [teamName(team) ?? team, code, t(`wall.alert.category.${category}`)].filter(Boolean).join(' · ') };
	}
	return null;
}
