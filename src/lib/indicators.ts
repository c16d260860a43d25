/** The indicators of SPEC §3: keys, targets and how to read them. Shared by server and pages. */
export const INDICATOR_KEYS = [
	'clinic_coverage',
	'village_doctor_coverage',
	'township_doctor_ok',
	'county_hospital_ok',
	'insurance_coverage',
	'treatment_rate',
	'chronic_signed_rate',
	'followup_rate',
	'rectification_rate',
	'overdue_problems',
	'gaps',
	'composite'
] as const;

export type IndicatorKey = (typeof INDICATOR_KEYS)[number];
export type IndicatorValues = Record<IndicatorKey, number | null>;

export interface IndicatorDefinition {
	key: IndicatorKey;
	kind: 'rate' | 'count' | 'score';
	/** the value to reach; for counts, the most that is acceptable */
	target: number | null;
	/** whether a larger value is better */
	higherIsBetter: boolean;
}

const rate = (key: IndicatorKey, target: number): IndicatorDefinition => ({ key, kind: 'rate', target, higherIsBetter: true });

export const INDICATORS: Record<IndicatorKey, IndicatorDefinition> = {
	clinic_coverage: rate('clinic_coverage', 1),
	village_doctor_coverage: rate('village_doctor_coverage', 1),
	township_doctor_ok: rate('township_doctor_ok', 1),
	county_hospital_ok: rate('county_hospital_ok', 1),
	insurance_coverage: rate('insurance_coverage', 1),
	treatment_rate: rate('treatment_rate', 0.99),
	chronic_signed_rate: rate('chronic_signed_rate', 1),
	followup_rate: rate('followup_rate', 1),
	rectification_rate: rate('rectification_rate', 1),
	overdue_problems: { key: 'overdue_problems', kind: 'count', target: 0, higherIsBetter: false },
	gaps: { key: 'gaps', kind: 'count', target: 0, higherIsBetter: false },
	composite: { key: 'composite', kind: 'score', target: null, higherIsBetter: true }
};

export function targets(): Record<IndicatorKey, number | null> {
	return Object.fromEntries(INDICATOR_KEYS.map((key) => [key, INDICATORS[key].target])) as Record<IndicatorKey, number | null>;
}

export const LEVELS = ['province', 'city', 'county', 'township', 'village'] as const;
export type Level = (typeof LEVELS)[number];

export function levelBelow(level: Level): Level | null {
	return LEVELS[LEVELS.indexOf(level) + 1] ?? null;
}
