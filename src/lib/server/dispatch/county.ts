import { sql as defaultSql, type Db } from '../db';
import type { Region } from '../geo/regions';
import { indicatorsAt } from '../indicators/queries';
import type { CountyBrief } from '$lib/types/dispatch';

const PLACES = 200;
const PROBLEMS = 100;

/**
 * What the console shows of one county when a team is to be sent there: the villages to visit
 * (open problems and gaps first), its open problems (overdue and supervised first), the talks
 * held with its leaders, and its recent inspections.
 */
export async function countyBrief(county: Region, db: Db = defaultSql): Promise<CountyBrief> {
	const [villages, open, problems, talks, inspections, teams] = await Promise.all([
		indicatorsAt(county, 'village', {}, db),
		db`
			select region_code, count(*)::int as n from problem
			where county_code = ${county.code} and status <> 'closed' group by 1`,
		db`
			select p.id, p.code, p.region_code, p.category, p.description, p.deadline::text as deadline, p.status, p.is_overdue,
				case when p.supervised then coalesce(p.supervision_level, 'province') end as supervision_level
			from problem p where p.county_code = ${county.code} and p.status <> 'closed'
			order by p.is_overdue desc, p.supervised desc, p.deadline, p.id limit ${PROBLEMS}`,
		db`
			select id, leader, reason, held_on::text as held_on, problem_id from talk
			where region_code = ${county.code} order by held_on desc, id desc limit 20`,
		db`
			select a.id, t.name as team, a.status, a.starts_on::text as starts_on, a.ends_on::text as ends_on, a.unannounced
			from assignment a join team t on t.id = a.team_id
			where a.county_code = ${county.code} order by a.id desc limit 10`,
		// every free team of the province, nearest first, measured as the suggestions measure it
		db`
			select t.id, t.name,
				st_distance(coalesce(t.point, t.home_point)::geography, (select coalesce(point, st_pointonsurface(geom)) from region where code = ${county.code})::geography) as meters
			from team t join region h on h.code = t.home_region
			where h.province_code = ${county.provinceCode} and t.status = 'idle' and coalesce(t.point, t.home_point) is not null
				and not exists (select 1 from assignment a where a.team_id = t.id and a.status in ('assigned', 'underway'))
			order by 3, length(t.id), t.id`
	]);
	const openAt = new Map(open.map((row) => [row.region_code as string, row.n as number]));
	const shapes = await db`
		select v.code, v.name, t.name as township, st_x(v.point) as lon, st_y(v.point) as lat
		from region v join region t on t.code = v.parent_code
		where v.county_code = ${county.code} and v.level = 'village'`;
	const gapAt = new Map(villages.items.map((v) => [v.code, (v.indicators.gaps ?? 0) > 0]));
	const places = shapes
		.map((v) => ({
			id: v.code as string,
			kind: 'village' as const,
			name: v.name as string,
			within: v.township as string,
			open: openAt.get(v.code) ?? 0,
			gap: gapAt.get(v.code) ?? false,
			lon: v.lon as number | null,
			lat: v.lat as number | null
		}))
		.sort((a, b) => b.open - a.open || Number(b.gap) - Number(a.gap) || a.id.localeCompare(b.id))
		.slice(0, PLACES);
	return {
		county: { code: county.code, name: county.name, key: county.isKey },
		places,
		problems: problems.map((p) => ({
			id: Number(p.id),
			code: p.code,
			region: p.region_code,
			category: p.category,
			description: p.description,
			deadline: p.deadline,
			status: p.status,
			overdue: p.is_overdue,
			supervision: p.supervision_level
		})),
		talks: talks.map((t) => ({ id: Number(t.id), leader: t.leader, reason: t.reason, heldOn: t.held_on, problem: t.problem_id === null ? null : Number(t.problem_id) })),
		inspections: inspections.map((a) => ({ id: Number(a.id), team: a.team, status: a.status, startsOn: a.starts_on, endsOn: a.ends_on, unannounced: a.unannounced })),
		freeTeams: teams.map((t) => ({ id: t.id, name: t.name, distanceKm: Math.round(t.meters) / 1000 }))
	};
}
