import { sql } from '../db';
import { readerOf } from '../events/log';
import { ApiError } from '../http/errors';
import type { Viewer } from '../auth/viewer';
import type { Team } from '$lib/types/teams';

/**
 * The teams a viewer may see: those of a province-scope leader's, dispatcher's or admin's
 * province, or an inspector's own team. Everyone else (county and city users, wall screens'
 * kiosk tokens) is refused: where teams go is not theirs to know (四不两直).
 */
export async function teamsFor(viewer: Viewer, { limit, offset }: { limit?: number; offset: number }): Promise<{ items: Team[]; total: number }> {
	const reader = readerOf(viewer);
	if (!reader.sealed && !reader.team) throw new ApiError(403, 'forbidden', '当前账号无权查看检查组');
	const filter = reader.team ? sql`t.id = ${reader.team}` : sql`h.province_code = ${viewer.scope!.code.slice(0, 2) + '0000'}`;
	const rows = await sql`
		select t.id, t.name, t.status, st_x(t.point) as lon, st_y(t.point) as lat, t.home_region, t.updated_at,
			a.id as assignment_id, a.county_code, c.name as county_name, a.status as assignment_status, a.unannounced, a.starts_on,
			count(*) over () as total
		from team t
			join region h on h.code = t.home_region
			left join lateral (select * from assignment a where a.team_id = t.id and a.status in ('assigned', 'underway')
				order by a.id desc limit 1) a on true
			left join region c on c.code = a.county_code
		where ${filter}
		order by t.id
		limit ${limit ?? 1000} offset ${offset}`;
	return {
		total: rows.length ? Number(rows[0].total) : 0,
		items: rows.map((row) => ({
			id: row.id,
			name: row.name,
			status: row.status,
			lon: row.lon,
			lat: row.lat,
			homeRegion: row.home_region,
			updatedAt: new Date(row.updated_at).toISOString(),
			assignment: row.assignment_id
				? {
						id: Number(row.assignment_id),
						county: { code: row.county_code, name: row.county_name },
						status: row.assignment_status,
						unannounced: row.unannounced,
						startsOn: new Date(row.starts_on).toISOString().slice(0, 10)
					}
				: null
		}))
	};
}
