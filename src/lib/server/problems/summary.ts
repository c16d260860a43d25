import { sql as defaultSql, type Db } from '../db';
import { PATH_COLUMN, type Region } from '../geo/regions';
import type { Level } from '$lib/indicators';
import type { SummaryRow } from '$lib/types/problems';

const COUNTS = (db: Db) => db`
	count(p.id)::int as total,
	count(p.id) filter (where p.status = 'open')::int as open,
	count(p.id) filter (where p.status = 'rectifying')::int as rectifying,
	count(p.id) filter (where p.status = 'submitted')::int as submitted,
	count(p.id) filter (where p.status = 'closed')::int as closed,
	count(p.id) filter (where p.status <> 'closed' and p.is_overdue)::int as overdue,
	count(p.id) filter (where p.supervised and p.status <> 'closed')::int as supervised,
	count(p.id) filter (where p.escalation is not null)::int as escalated`;

/**
 * 总账/分账 (seed 002): the ledger of `within` rolled up, one row per region at `level` below it
 * (every one of them, with zeros where it has no items), and the whole of `within` itself.
 */
export async function problemSummary(within: Region, level: Level, db: Db = defaultSql): Promise<{ items: SummaryRow[]; total: number; region: SummaryRow }> {
	const key = db(PATH_COLUMN[level]);
	const [rows, [whole]] = await Promise.all([
		db`
			select g.code, g.name, g.level, ${COUNTS(db)}
			from region g
				left join (problem p join region r on r.code = p.region_code) on r.${key} = g.code
			where g.level = ${level} and g.${db(PATH_COLUMN[within.level])} = ${within.code}
			group by g.code, g.name, g.level
			order by g.code`,
		db`
			select ${within.code}::text as code, ${within.name}::text as name, ${within.level}::text as level, ${COUNTS(db)}
			from problem p join region r on r.code = p.region_code
			where r.${db(PATH_COLUMN[within.level])} = ${within.code}`
	]);
	return { items: rows as unknown as SummaryRow[], total: rows.length, region: whole as unknown as SummaryRow };
}
