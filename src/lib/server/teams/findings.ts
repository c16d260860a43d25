import { sql as defaultSql, type Db } from '../db';
import { readerOf } from '../events/log';
import { ApiError } from '../http/errors';
import type { Viewer } from '../auth/viewer';
import type { Finding } from '$lib/types/dispatch';

/**
 * Findings of flight-inspection teams, newest first: a team's own (its members, the province's
 * dispatchers), or all of the viewer's province (`team` omitted). Who found what is sealed
 * like the teams themselves: never a county's or a wall's to read.
 */
export async function findingsOf(
	viewer: Viewer,
	{ team, limit = 50, offset = 0 }: { team?: string; limit?: number; offset?: number },
	db: Db = defaultSql
): Promise<{ items: Finding[]; total: number }> {
	const reader = readerOf(viewer);
	if (reader.team && team !== undefined && team !== reader.team) throw new ApiError(403, 'forbidden', '当前账号无权查看检查组');
	if (!reader.sealed && !reader.team) throw new ApiError(403, 'forbidden', '当前账号无权查看检查组');
	const province = reader.sealed ? db`h.province_code = ${viewer.scope!.code.slice(0, 2) + '0000'}` : db`true`;
	const own = reader.team ? db`f.team_id = ${reader.team}` : team !== undefined ? db`f.team_id = ${team}` : db`true`;
	const rows = await db`
		select f.problem_id, p.code, p.region_code, r.name as region_name, p.county_code, c.name as county_name, p.category,
			p.description, p.deadline::text as deadline, p.status, f.team_id, t.name as team_name, f.reported_by, f.created_at,
			count(*) over () as total
		from finding f
			join problem p on p.id = f.problem_id
			join region r on r.code = p.region_code
			join region c on c.code = p.county_code
			join team t on t.id = f.team_id
			join region h on h.code = t.home_region
		where ${province} and ${own}
		order by f.created_at desc, f.problem_id desc
		limit ${Math.min(limit, 200)} offset ${offset}`;
	return {
		total: rows.length ? Number(rows[0].total) : 0,
		items: rows.map((row) => ({
			problem: Number(row.problem_id),
			code: row.code,
			region: { code: row.region_code, name: row.region_name },
			county: { code: row.county_code, name: row.county_name },
			category: row.category,
			description: row.description,
			deadline: row.deadline,
			status: row.status,
			team: { id: row.team_id, name: row.team_name },
			reportedBy: row.reported_by,
			at: new Date(row.created_at).toISOString()
		}))
	};
}
