import { sql as defaultSql, type Db } from '../db';
import { findRegion, PATH_COLUMN, type Region } from '../geo/regions';
import type { IndicatorValues, Level } from '$lib/indicators';
import { shared } from './cache';

const COUNTED: ReadonlySet<Level> = new Set(['province', 'city', 'county']);

export interface RegionIndicators {
	code: string;
	name: string;
	level: Level;
	isKey: boolean;
	population: number;
	indicators: IndicatorValues;
	/** GeoJSON geometry as PostGIS wrote it: spliced into the answer as it is (see geo/features.ts) */
	geometry?: string;
}

export interface Page {
	limit?: number;
	offset?: number;
}

/**
 * Summed counts and recent follow-ups for every region at `level` within `within`.
 * Province, city and county levels read the counters kept by each write; townships and
 * villages are summed from their records, one county at a time.
 */
function counts(db: Db, within: Region, level: Level) {
	const inside = db(PATH_COLUMN[within.level]);
	const key = db(PATH_COLUMN[level]);
	if (COUNTED.has(level)) {
		return db`
			c as (
				select ic.${key} as code, indicator_counts_sum(ic.counts) as counts
				from indicator_counter ic
				where ic.${inside} = ${within.code} and ic.${key} is not null
				group by 1
			),
			fu as (
				select ic.${key} as code, sum(followed_today(ic))::int as n
				from indicator_counter ic
				where ic.${inside} = ${within.code} and ic.${key} is not null
				group by 1
			)`;
	}
	const counter = within.countyCode;
	return db`
		c as (
			select r.${key} as code, indicator_counts_sum(u.counts) as counts
			from unit_counts(${counter}) u join region r on r.code = u.unit_code
			where r.${inside} = ${within.code} and r.${key} is not null
			group by 1
		),
		fu as (
			select r.${key} as code, sum(f.n)::int as n
			from unit_followups(${counter}) f join region r on r.code = f.unit_code
			where r.${inside} = ${within.code} and r.${key} is not null and f.day > current_date - 90
			group by 1
		)`;
}

/**
 * Aggregates every wall and map of a province or city asks for: the cities, counties or
 * townships of a province or city, and the region itself. Computed once per version of the
 * data and shared (`shared`); villages, read a page at a time, are not.
 */
const isProvinceAggregate = (within: Region, level: Level) => within.countyCode === null && level !== 'village';

/** Indicators of every region at `level` inside `within` (or of `within` itself at its own level). */
export async function indicatorsAt(
	within: Region,
	level: Level,
	{ geometry = false, limit, offset = 0 }: Page & { geometry?: boolean } = {},
	db: Db = defaultSql
): Promise<{ items: RegionIndicators[]; total: number }> {
	if (db === defaultSql && isProvinceAggregate(within, level)) {
		const all = await shared(`indicators:${within.code}:${level}:${geometry}`, () => computeAt(within, level, { geometry }, db));
		return { items: all.items.slice(offset, limit === undefined ? undefined : offset + limit), total: all.total };
	}
	return computeAt(within, level, { geometry, limit, offset }, db);
}

async function computeAt(
	within: Region,
	level: Level,
	{ geometry = false, limit, offset = 0 }: Page & { geometry?: boolean },
	db: Db
): Promise<{ items: RegionIndicators[]; total: number }> {
	if (!COUNTED.has(level) && within.countyCode === null) return acrossCounties(within, level, { geometry, limit, offset }, db);
	const inside = db(PATH_COLUMN[within.level]);
	const rows = await db`
		with ${counts(db, within, level)}
		select r.code, r.name, r.level, r.is_key, r.population,
			indicator_values(coalesce(c.counts, indicator_counts_zero()), coalesce(fu.n, 0)) as indicators,
			-- text, not jsonb: parsing half a megabyte of polygons to jsonb, then to objects and back
			-- to text again cost more than the rest of the query
			${geometry ? db`st_asgeojson(coalesce(r.geom, r.point), 5)` : db`null::text`} as geometry,
			count(*) over () as total
		from region r
			left join c on c.code = r.code
			left join fu on fu.code = r.code
		where r.${inside} = ${within.code} and r.level = ${level}
		order by r.code
		${limit === undefined ? db`` : db`limit ${limit}`} offset ${offset}
	`;
	const items = rows.map((row) => ({
		code: row.code,
		name: row.name,
		level: row.level,
		isKey: row.is_key,
		population: row.population,
		indicators: row.indicators,
		...(geometry ? { geometry: row.geometry } : {})
	}));
	const total = rows.length ? Number(rows[0].total) : await countAt(db, within, level);
	return { items, total };
}

/**
 * Townships or villages of a city or the province: the page first, then the counts of only
 * the counties it touches, each summed as for a county (a page of villages lies in one or two).
 */
async function acrossCounties(within: Region, level: Level, page: Page & { geometry: boolean }, db: Db): Promise<{ items: RegionIndicators[]; total: number }> {
	const rows = await db`
		select code, county_code, count(*) over () as total
		from region where ${db(PATH_COLUMN[within.level])} = ${within.code} and level = ${level}
		order by code
		${page.limit === undefined ? db`` : db`limit ${page.limit}`} offset ${page.offset ?? 0}
	`;
	if (!rows.length) return { items: [], total: await countAt(db, within, level) };
	// one county after another: a request has one query at a time in the database, so that on
	// the embedded one (a single session, first come first served) others' queries wait behind
	// one county's sums, not behind every county the request touches
	const byCode = new Map<string, RegionIndicators>();
	for (const code of new Set(rows.map((row) => row.county_code as string))) {
		const county = await findRegion(code, db);
		for (const item of (await indicatorsAt(county!, level, { geometry: page.geometry }, db)).items) byCode.set(item.code, item);
	}
	return { items: rows.map((row) => byCode.get(row.code)!), total: Number(rows[0].total) };
}

async function countAt(db: Db, within: Region, level: Level): Promise<number> {
	const [{ n }] = await db`
		select count(*)::int as n from region where ${db(PATH_COLUMN[within.level])} = ${within.code} and level = ${level}
	`;
	return n;
}

export async function regionIndicators(region: Region, db: Db = defaultSql): Promise<IndicatorValues> {
	const { items } = await indicatorsAt(region, region.level, {}, db);
	return items[0].indicators;
}
