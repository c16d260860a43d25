import { sql as defaultSql, type Db } from '../db';
import { PATH_COLUMN, type Region } from '../geo/regions';

export interface TalkRow {
	id: number;
	region: { code: string; name: string; level: string };
	leader: string;
	reason: string;
	heldOn: string;
	problem: { id: number; code: string } | null;
	recordedBy: string;
}

/**
 * Talks (约谈) held with the leaders of `within` and the regions inside it, newest first: a
 * county reads those with its own leaders; the province every one. `problem` keeps those about
 * one ledger item.
 */
export async function talksIn(within: Region, { limit = 50, offset = 0, problem }: { limit?: number; offset?: number; problem?: number } = {}, db: Db = defaultSql) {
	const rows = await db`
		select k.id, k.region_code, r.name, r.level, k.leader, k.reason, k.held_on::text as held_on, k.problem_id, p.code as problem_code,
			k.recorded_by, count(*) over () as total
		from talk k join region r on r.code = k.region_code left join problem p on p.id = k.problem_id
		where r.${db(PATH_COLUMN[within.level])} = ${within.code}
			${problem === undefined ? db`` : db`and k.problem_id = ${problem}`}
		order by k.held_on desc, k.id desc
		limit ${limit} offset ${offset}`;
	const items: TalkRow[] = rows.map((row) => ({
		id: Number(row.id),
		region: { code: row.region_code, name: row.name, level: row.level },
		leader: row.leader,
		reason: row.reason,
		heldOn: row.held_on,
		problem: row.problem_id === null ? null : { id: Number(row.problem_id), code: row.problem_code },
		recordedBy: row.recorded_by
	}));
	return { items, total: rows.length ? Number(rows[0].total) : 0 };
}
