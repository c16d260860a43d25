import { sql as defaultSql, type Db } from '../db';
import { PATH_COLUMN, type Region } from '../geo/regions';
import { indicatorsAt } from '../indicators/queries';
import { INDICATORS, INDICATOR_KEYS, type IndicatorValues } from '$lib/indicators';
import type { DispatchWeights, Suggestion, SuggestionFactors, Suggestions } from '$lib/types/dispatch';
import { weightsOf } from './weights';

/** Whether `today` (MM-DD) lies in the quiet period, which may run over the new year. */
export function inQuiet(quiet: DispatchWeights['quiet'], today: string): boolean {
	if (!quiet) return false;
	return quiet.from <= quiet.to ? today >= quiet.from && today <= quiet.to : today >= quiet.from || today <= quiet.to;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const monthDay = (text: string) => `${Number(text.slice(0, 2))}月${Number(text.slice(3, 5))}日`;

/**
 * A county's score and its reasons, by the formula of weights.ts. Reasons name what weighs,
 * the largest part first, then what held the county back.
 */
export function scoreOf(f: SuggestionFactors, w: DispatchWeights, quiet: boolean): { score: number; reasons: string[] } {
	const since = Math.min(f.daysSince ?? w.maxDays, w.maxDays);
	const slow = quiet && w.quiet ? w.quiet.factor : 1;
	const parts: [number, string][] = [
		[f.overdue * w.overdue, `逾期问题 ${f.overdue} 项`],
		[f.supervised * w.supervised, `挂牌督办 ${f.supervised} 项`],
		[f.open * w.open * slow, `未销号问题 ${f.open} 项`],
		[f.gaps * w.gaps * slow, `空白点 ${f.gaps} 个`],
		[f.belowTarget * w.belowTarget * slow, `未达标指标 ${f.belowTarget} 项`],
		[(f.key ? w.key : 0) * slow, '重点县'],
		[(since / 30) * w.monthsSince * slow, f.daysSince === null ? '无检查记录' : `${f.daysSince} 天未检查`]
	];
	const base = parts.reduce((sum, [value]) => sum + value, 0);
	const held = f.active ? 0 : f.daysSince !== null && f.daysSince < w.recentDays ? f.daysSince / w.recentDays : 1;
	const reasons = parts
		.map(([value, reason], i) => ({ value, reason, i }))
		.filter((part) => part.value > 0)
		.sort((a, b) => b.value - a.value || a.i - b.i)
		.map((part) => part.reason);
	if (f.active) reasons.push('检查组正在该县');
	else if (held < 1) reasons.push(`${f.daysSince} 天前刚检查过（${w.recentDays} 天内减负）`);
	if (quiet && w.quiet) reasons.push(`减负期（${monthDay(w.quiet.from)}至${monthDay(w.quiet.to)}），非紧急事项从缓`);
	return { score: round2(base * held), reasons };
}

/** Indicators below their target: rates under target (a county without the records has no value, and counts nothing). */
export function belowTarget(values: IndicatorValues): number {
	return INDICATOR_KEYS.filter((key) => {
		const def = INDICATORS[key];
		const value = values[key];
		return def.kind === 'rate' && def.target !== null && value !== null && value < def.target - 1e-9;
	}).length;
}

/** Ranks best first by score; equal scores share a rank (1, 2, 2, 4) and are listed by county code. */
export function rankSuggestions(items: Omit<Suggestion, 'rank'>[]): Suggestion[] {
	const sorted = [...items].sort((a, b) => b.score - a.score || a.county.code.localeCompare(b.county.code));
	let rank = 0;
	return sorted.map((item, i) => {
		if (i === 0 || item.score !== sorted[i - 1].score) rank = i + 1;
		return { ...item, rank };
	});
}

/**
 * What the system shows of each county inside `within`, the last inspection, and the nearest
 * free team (standing by, no assignment) of the county's province with its distance on the
 * ellipsoid (PostGIS geography, metres) from where the team is to a point inside the county.
 */
async function countyFacts(db: Db, within: Region) {
	const inside = db(PATH_COLUMN[within.level]);
	return db`
		with c as (
			select code, name, city_code, province_code, is_key, coalesce(point, st_pointonsurface(geom)) as point
			from region where level = 'county' and ${inside} = ${within.code}
		),
		p as (
			select county_code, count(*) filter (where status <> 'closed') as open,
				count(*) filter (where status <> 'closed' and is_overdue) as overdue,
				count(*) filter (where status <> 'closed' and supervised) as supervised
			from problem where county_code in (select code from c) group by 1
		),
		-- inspected: on the day a completed visit ended, or first on site; a team out there now is today
		l as (
			select county_code,
				max(case when status in ('assigned', 'underway') then current_date when status = 'done' then ends_on else visited_on end) as last_on,
				bool_or(status in ('assigned', 'underway')) as active
			from assignment where team_id is not null and county_code in (select code from c) group by 1
		),
		free as (
			select t.id, t.name, coalesce(t.point, t.home_point) as at, h.province_code
			from team t join region h on h.code = t.home_region
			where t.status = 'idle' and coalesce(t.point, t.home_point) is not null
				and h.province_code in (select distinct province_code from c)
				and not exists (select 1 from assignment a where a.team_id = t.id and a.status in ('assigned', 'underway'))
		)
		select c.code, c.name, c.city_code, c.is_key, coalesce(p.open, 0)::int as open, coalesce(p.overdue, 0)::int as overdue,
			coalesce(p.supervised, 0)::int as supervised, l.last_on::text as last_on, (current_date - l.last_on)::int as days_since,
			coalesce(l.active, false) as active, n.id as team_id, n.name as team_name, n.meters,
			to_char(current_date, 'MM-DD') as today
		from c
			left join p on p.county_code = c.code
			left join l on l.county_code = c.code
			left join lateral (
				select f.id, f.name, st_distance(f.at::geography, c.point::geography) as meters
				from free f where f.province_code = c.province_code
				order by 3, length(f.id), f.id limit 1
			) n on true
		order by c.code`;
}

/** Counties inside `within` ranked for the next flight inspection, each with its reasons and nearest free team. */
export async function suggestionsFor(within: Region, { limit, offset = 0 }: { limit?: number; offset?: number } = {}, db: Db = defaultSql): Promise<Suggestions> {
	const [weights, facts, indicators] = await Promise.all([
		weightsOf(within.provinceCode, db),
		countyFacts(db, within),
		// a county's own figures when `within` is one
		indicatorsAt(within, 'county', {}, db)
	]);
	const values = new Map(indicators.items.map((item) => [item.code, item.indicators]));
	const quiet = facts.length ? inQuiet(weights.quiet, facts[0].today) : false;
	const items = facts.map((row) => {
		const county = values.get(row.code);
		const factors: SuggestionFactors = {
			overdue: row.overdue,
			supervised: row.supervised,
			open: row.open,
			gaps: county?.gaps ?? 0,
			belowTarget: county ? belowTarget(county) : 0,
			key: row.is_key,
			daysSince: row.days_since,
			active: row.active
		};
		const { score, reasons } = scoreOf(factors, weights, quiet);
		return {
			county: { code: row.code, name: row.name },
			score,
			reasons,
			// metres to kilometres, to the metre
			nearestTeam: row.team_id ? { id: row.team_id, name: row.team_name, distanceKm: Math.round(row.meters) / 1000 } : null,
			cityCode: row.city_code,
			lastInspectedOn: row.last_on,
			factors
		};
	});
	const ranked = rankSuggestions(items);
	return { items: ranked.slice(offset, limit === undefined ? undefined : offset + limit), total: ranked.length, weights, quiet };
}
