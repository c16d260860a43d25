import { sql as defaultSql, type Db } from '../db';
import { PATH_COLUMN, type Region } from '../geo/regions';
import { regionIndicators } from '../indicators/queries';
import { baselines } from '../indicators/snapshots';
import type { OverdueProblem, WallCounty, WallSummary } from '$lib/types/wall';
import { currentCampaign } from './campaign';

/**
 * Each county of `within` with its label point and its last field event. The server's own
 * events (deadline watcher) and sealed ones (team movements) do not count: a county is fresh
 * because its people report, and a county user must not learn of a team from it.
 */
export async function countiesWithFreshness(within: Region, db: Db = defaultSql): Promise<WallCounty[]> {
	const rows = await db`
		select r.code, r.name, r.is_key, r.city_code,
			st_x(coalesce(r.point, st_pointonsurface(r.geom))) as lon, st_y(coalesce(r.point, st_pointonsurface(r.geom))) as lat,
			e.at as last_event_at
		from region r
			left join lateral (
				select at from event
				where county_code = r.code and not sealed and type <> 'indicators.changed' and actor is distinct from 'system'
				order by seq desc
				limit 1
			) e on true
		where r.${db(PATH_COLUMN[within.level])} = ${within.code} and r.level = 'county'
		order by r.code`;
	return rows.map((row) => ({
		code: row.code,
		name: row.name,
		key: row.is_key,
		cityCode: row.city_code,
		lon: Number(row.lon),
		lat: Number(row.lat),
		lastEventAt: row.last_event_at ? new Date(row.last_event_at).toISOString() : null
	}));
}

async function problemCounts(within: Region, db: Db) {
	const [row] = await db`
		select count(*) filter (where p.status <> 'closed')::int as open,
			count(*) filter (where p.status <> 'closed' and p.is_overdue)::int as overdue,
			count(*) filter (where p.status <> 'closed' and p.supervised)::int as supervised
		from problem p join region r on r.code = p.region_code
		where r.${db(PATH_COLUMN[within.level])} = ${within.code}`;
	return row as { open: number; overdue: number; supervised: number };
}

/** Since when a county without any field event has been silent: when the data was loaded, or the log began. */
async function watchedSince(db: Db): Promise<string | null> {
	const [row] = await db`
		select coalesce(
			(select (value ->> 'seededAt')::timestamptz from app_meta where key = 'dataset'),
			(select min(at) from event)) as since`;
	return row?.since ? new Date(row.since).toISOString() : null;
}

/** Everything the wall shows of `within` apart from the map's shapes and the ranking. */
export async function wallSummary(within: Region, campaignStart: string | undefined, db: Db = defaultSql): Promise<WallSummary> {
	const [indicators, before, problems, counties, since, campaign] = await Promise.all([
		regionIndicators(within, db),
		baselines([within.code], db),
		problemCounts(within, db),
		countiesWithFreshness(within, db),
		watchedSince(db),
		currentCampaign(campaignStart, db)
	]);
	return {
		region: { code: within.code, name: within.name, level: within.level },
		indicators,
		baseline: before.get(within.code) ?? null,
		problems,
		counties,
		watchedSince: since,
		campaign,
		serverTime: new Date().toISOString()
	};
}

/** Open problems past their deadline inside `within`, each at its region's point; all of them, no cap. */
export async function overdueProblems(within: Region, db: Db = defaultSql): Promise<{ items: OverdueProblem[]; total: number }> {
	const rows = await db`
		select p.id, p.code, p.county_code, p.category, p.deadline::text as deadline, p.supervised,
			st_x(coalesce(r.point, st_pointonsurface(r.geom))) as lon, st_y(coalesce(r.point, st_pointonsurface(r.geom))) as lat
		from problem p join region r on r.code = p.region_code
		where r.${db(PATH_COLUMN[within.level])} = ${within.code} and p.status <> 'closed' and p.is_overdue
		order by p.deadline, p.id`;
	const items = rows.map((row) => ({
		id: Number(row.id),
		code: row.code,
		countyCode: row.county_code,
		category: row.category,
		deadline: row.deadline,
		supervised: row.supervised,
		lon: Number(row.lon),
		lat: Number(row.lat)
	}));
	return { items, total: items.length };
}
