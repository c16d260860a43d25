import { sql as defaultSql, type Db } from '../db';
import type { Campaign, CampaignPhase, PhaseKey } from '$lib/types/wall';

/**
 * The 2019–2020 screening campaign of seed 004 (专项排查), as days from its first day:
 * deployment 12-25..12-30, screening 12-28..01-15, rectification 01-16..04-30.
 */
const PHASES: { key: PhaseKey; from: number; to: number }[] = [
	{ key: 'deployment', from: 0, to: 5 },
	{ key: 'screening', from: 3, to: 21 },
	{ key: 'rectification', from: 22, to: 127 }
];

const SEED_START = '2019-12-25';
// deadlines are calendar days in the province's time: a phase closes at midnight in Beijing
const OFFSET = '+08:00';
const DAY = 86_400_000;

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

export function campaignFrom(start: string): Campaign {
	const phases: CampaignPhase[] = PHASES.map(({ key, from, to }) => ({
		key,
		start: addDays(start, from),
		end: addDays(start, to),
		startsAt: `${addDays(start, from)}T00:00:00${OFFSET}`,
		endsAt: `${addDays(start, to + 1)}T00:00:00${OFFSET}`
	}));
	return { key: 'screening', start, phases };
}

/**
 * The campaign on the wall: from CAMPAIGN_START when set. On demo data without it, the campaign
 * started 30 days before the data's as-of day, so the demo runs inside the rectification phase
 * with its countdown; otherwise the seed's own dates.
 */
export async function currentCampaign(configured: string | undefined, db: Db = defaultSql): Promise<Campaign> {
	if (configured) return campaignFrom(configured);
	const [meta] = await db`select value ->> 'asOf' as as_of from app_meta where key = 'dataset' and (value ->> 'demo')::boolean`;
	return campaignFrom(meta?.as_of ? addDays(meta.as_of, -30) : SEED_START);
}
