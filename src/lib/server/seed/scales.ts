import type { Scale } from './types';

export type Range = readonly [min: number, max: number];

export interface ScaleParams {
	/** provinces seeded, in the order teams are numbered */
	provinces: readonly string[];
	townshipsPerCounty: Range;
	villagesPerTownship: Range;
	/** patients per village on average (before proportional allocation by population) */
	patientsPerVillage: number;
	/** exact totals for a province at real size (Shandong 2019, seed 000) */
	exact?: { province: string; patients: number; chronic: number; keyVillages: number };
	/** share of patients in each category */
	chronicShare: number;
	seriousShare: number;
	/** share of chronic patients signed, and of signed ones followed up in the last 90 days */
	chronicSigned: number;
	followedUpRecently: number;
	problemsPerCounty: Range;
	/** key villages per village where `exact` does not fix the number (8,560 of ~70,000) */
	keyVillageShare: number;
	/** a city drawn at a real county's density, and counties with their real number of townships */
	dense?: {
		city: string;
		townshipsPerCounty: Range;
		villagesPerTownship: Range;
		counties: Record<string, { townships: number; villagesPerTownship: Range; problems: Range }>;
	};
}

const SHANDONG = '370000';

const demo: ScaleParams = {
	provinces: [SHANDONG, '620000', '640000', '210000'],
	townshipsPerCounty: [3, 6],
	villagesPerTownship: [6, 12],
	patientsPerVillage: 6,
	chronicShare: 0.5,
	seriousShare: 0.1,
	chronicSigned: 0.97,
	followedUpRecently: 0.95,
	problemsPerCounty: [3, 8],
	keyVillageShare: 8560 / 70000,
	// the demo county's city (德州市) as dense as a real one; 临邑县 with its 11 townships
	// (2 街道, 8 镇, 1 乡) and some 770 villages, a clinic per village where the standard asks
	dense: {
		city: '371400',
		townshipsPerCounty: [8, 14],
		villagesPerTownship: [20, 30],
		counties: { '371424': { townships: 11, villagesPerTownship: [62, 78], problems: [16, 22] } }
	}
};

/** Parameters of each scale: `test` is Ningxia at demo density, `full` Shandong at real size. */
export const SCALES: Record<Scale, ScaleParams> = {
	test: { ...demo, provinces: ['640000'], dense: undefined },
	demo,
	full: {
		...demo,
		provinces: [SHANDONG],
		townshipsPerCounty: [8, 18],
		villagesPerTownship: [31, 48],
		patientsPerVillage: 8.6,
		exact: { province: SHANDONG, patients: 605_000, chronic: 302_400, keyVillages: 8_560 },
		chronicSigned: 1,
		followedUpRecently: 1,
		problemsPerCounty: [11, 19],
		dense: undefined
	}
};

/** 75.95% of county hospitals met the national recommended standard (seed 000). */
export const STANDARD_HOSPITAL_SHARE = 0.7595;

export const PROVINCE_NAMES: Record<string, string> = {
	'370000': '山东省',
	'620000': '甘肃省',
	'640000': '宁夏回族自治区',
	'210000': '辽宁省'
};
