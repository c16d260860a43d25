/** Shapes of the wall screen's endpoints, shared by the server and the page. */
import type { IndicatorValues, Level } from '$lib/indicators';

export type PhaseKey = 'deployment' | 'screening' | 'rectification';

export interface CampaignPhase {
	key: PhaseKey;
	/** first and last day, inclusive (YYYY-MM-DD) */
	start: string;
	end: string;
	/** when the phase opens and closes, China Standard Time */
	startsAt: string;
	endsAt: string;
}

export interface Campaign {
	key: string;
	start: string;
	phases: CampaignPhase[];
}

export interface WallCounty {
	code: string;
	name: string;
	key: boolean;
	cityCode: string | null;
	/** a point inside the county, where its label goes */
	lon: number;
	lat: number;
	/** the last field event of the county (not counting the server's own or sealed ones) */
	lastEventAt: string | null;
}

export interface WallSummary {
	region: { code: string; name: string; level: Level };
	indicators: IndicatorValues;
	/** the latest snapshot: "change today" is measured against it */
	baseline: { takenOn: string; values: IndicatorValues } | null;
	problems: { open: number; overdue: number; supervised: number };
	counties: WallCounty[];
	/** counties without any field event count as silent from here (when the data was loaded) */
	watchedSince: string | null;
	campaign: Campaign;
	serverTime: string;
}

export interface OverdueProblem {
	id: number;
	code: string;
	countyCode: string | null;
	category: string;
	deadline: string;
	supervised: boolean;
	lon: number;
	lat: number;
}

export type { Team, TeamStatus } from './teams';

export interface RankingRow {
	code: string;
	name: string;
	rank: number;
	value: number | null;
	change: number | null;
	previousRank: number | null;
	isKey: boolean;
}

/** The region a wall shows: the viewer's scope. */
export interface WallScope {
	level: Level;
	code: string;
	name: string;
}
