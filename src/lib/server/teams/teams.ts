import { sql as defaultSql, type Db } from '../db';
import { readerOf } from '../events/log';
import { ApiError } from '../http/errors';
import type { Viewer } from '../auth/viewer';
import type { Place, Team, TeamAssignment } from '$lib/types/teams';

const refused = () => new ApiError(403, 'forbidden', '当前账号无权查看检查组');

/** The places of an assignment, in order, with where they lie. */
const placesOf = (db: Db) => db`
	coalesce((
		select jsonb_agg(jsonb_build_object(
			'id', coalesce(p.region_code, p.facility_id),
			'kind', case when p.facility_id is not null then 'facility' else r.level end,
			'name', coalesce(f.name, r.name),
			'within', w.name,
			'lon', st_x(coalesce(f.point, r.point)),
			'lat', st_y(coalesce(f.point, r.point))
		) order by p.ord)
		from assignment_place p
			left join facility f on f.id = p.facility_id
			left join region r on r.code = p.region_code
			left join region w on w.code = coalesce(f.region_code, r.parent_code)
		where p.assignment_id = a.id
	), '[]'::jsonb)`;

const day = (value: unknown) => (value ? new Date(value as string).toISOString().slice(0, 10) : null);

/**
 * The teams a viewer may see: those of a province-scope leader's, dispatcher's or admin's
 * province, or an inspector's own team; `id` picks one. Everyone else (county and city users,
 * wall screens' kiosk tokens, an inspector between teams) is refused: where teams go is not
 * theirs to know (四不两直). A team outside what the viewer may see is refused like one that
 * does not exist.
 */
export async function teamsFor(
	viewer: Viewer,
	{ limit, offset = 0, id }: { limit?: number; offset?: number; id?: string },
	db: Db = defaultSql
): Promise<{ items: Team[]; total: number }> {
	const reader = readerOf(viewer);
	if (!reader.sealed && !reader.team) throw refused();
	const filter = reader.team ? db`t.id = ${reader.team}` : db`h.province_code = ${viewer.scope!.code.slice(0, 2) + '0000'}`;
	const rows = await db`
		select t.id, t.name, t.status, st_x(t.point) as lon, st_y(t.point) as lat, t.home_region, t.updated_at,
			st_x(t.home_point) as home_lon, st_y(t.home_point) as home_lat, l.username as leader,
			array(select username from app_user u where u.scope_team = t.id and u.role = 'inspector' order by username) as members,
			a.id as assignment_id, a.county_code, c.name as county_name, a.status as assignment_status, a.unannounced,
			a.starts_on, a.ends_on, a.reason, ${placesOf(db)} as places,
			count(*) over () as total
		from team t
			join region h on h.code = t.home_region
			left join app_user l on l.id = t.leader_id
			left join lateral (select * from assignment a where a.team_id = t.id and a.status in ('assigned', 'underway')
				order by a.id desc limit 1) a on true
			left join region c on c.code = a.county_code
		where ${filter} ${id === undefined ? db`` : db`and t.id = ${id}`}
		order by length(t.id), t.id
		limit ${limit ?? 1000} offset ${offset}`;
	return { total: rows.length ? Number(rows[0].total) : 0, items: rows.map(toTeam) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toTeam(row: any): Team {
	const assignment: TeamAssignment | null = row.assignment_id
		? {
				id: Number(row.assignment_id),
				county: { code: row.county_code, name: row.county_name },
				status: row.assignment_status,
				unannounced: row.unannounced,
				startsOn: day(row.starts_on)!,
				endsOn: day(row.ends_on),
				reason: row.reason,
				places: row.places as Place[]
			}
		: null;
	return {
		id: row.id,
		name: row.name,
		status: row.status,
		lon: row.lon,
		lat: row.lat,
		homeRegion: row.home_region,
		home: row.home_lon === null ? null : { lon: row.home_lon, lat: row.home_lat },
		leader: row.leader,
		members: (row.members as string[]).map((username) => ({ username, leader: username === row.leader })),
		updatedAt: new Date(row.updated_at).toISOString(),
		assignment
	};
}

/** One team the viewer may see; refused otherwise, whether or not it exists. */
export async function teamFor(viewer: Viewer, id: string, db: Db = defaultSql): Promise<Team> {
	const { items } = await teamsFor(viewer, { id }, db);
	if (!items.length) throw refused();
	return items[0];
}
