/** Shapes of the dispatch console's endpoints (`/api/dispatch/…`), shared by the server and the pages. */
import type { ProblemCategory, SupervisionLevel } from './events';

/**
 * The priority of a county for the next flight inspection (see lib/server/dispatch/weights.ts):
 * a weighted sum of what the system shows there, held back after a recent inspection (the
 * burden rule) and, in a quiet period, for everything but the urgent.
 */
export interface DispatchWeights {
	/** per overdue problem (逾期) */
	overdue: number;
	/** per problem under listed supervision (挂牌督办) */
	supervised: number;
	/** per problem not closed (未销号) */
	open: number;
	/** per gap (空白点) */
	gaps: number;
	/** per indicator below its target */
	belowTarget: number;
	/** a key county (重点县) */
	key: number;
	/** per 30 days since the last inspection, counted up to `maxDays` (never inspected counts as `maxDays`) */
	monthsSince: number;
	maxDays: number;
	/** the burden rule: within this many days of an inspection the score is scaled by days ÷ recentDays */
	recentDays: number;
	/** a yearly quiet period (减负期, seed 000: the third quarter): all but overdue and supervised problems count `factor` as much */
	quiet: { from: string; to: string; factor: number } | null;
}

export interface SuggestionFactors {
	overdue: number;
	supervised: number;
	open: number;
	gaps: number;
	belowTarget: number;
	key: boolean;
	/** days since the last inspection; null when there is none on record */
	daysSince: number | null;
	/** a team is out there now */
	active: boolean;
}

export interface Suggestion {
	county: { code: string; name: string };
	score: number;
	/** why, in Chinese, the largest part first (逾期问题 12 项, 空白点 7 个, 90 天未检查 …) */
	reasons: string[];
	nearestTeam: { id: string; name: string; distanceKm: number } | null;
	/** equal scores share a rank (1, 2, 2, 4) */
	rank: number;
	cityCode: string | null;
	lastInspectedOn: string | null;
	factors: SuggestionFactors;
}

export interface Suggestions {
	items: Suggestion[];
	total: number;
	weights: DispatchWeights;
	/** today (Asia/Shanghai) falls in the quiet period */
	quiet: boolean;
}

/** A finding of a team, as the console's feed and the team's own page show it. */
export interface Finding {
	problem: number;
	code: string;
	region: { code: string; name: string };
	county: { code: string; name: string };
	category: ProblemCategory;
	description: string;
	deadline: string;
	status: string;
	team: { id: string; name: string };
	reportedBy: string;
	at: string;
}

/** What the console shows of one county: places to visit, its open problems, its talks, its inspections. */
export interface CountyBrief {
	county: { code: string; name: string; key: boolean };
	places: { id: string; kind: 'village' | 'township' | 'facility'; name: string; within: string | null; open: number; gap: boolean; lon: number | null; lat: number | null }[];
	problems: { id: number; code: string; region: string; category: ProblemCategory; description: string; deadline: string; status: string; overdue: boolean; supervision: SupervisionLevel | null }[];
	talks: { id: number; leader: string; reason: string; heldOn: string; problem: number | null }[];
	inspections: { id: number; team: string; status: string; startsOn: string; endsOn: string | null; unannounced: boolean }[];
	/** the province's free teams, nearest first */
	freeTeams: { id: string; name: string; distanceKm: number }[];
}

export interface CrossPair {
	inspector: string;
	target: string;
}
