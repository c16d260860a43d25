import { z } from 'zod';
import type { PendingQuery, Row } from 'postgres';
import { sql as defaultSql, type Db } from '../db';
import { PATH_COLUMN, type Region } from '../geo/regions';
import { ESCALATION_LEVELS, PROBLEM_CATEGORIES, PROBLEM_SOURCES, PROBLEM_STATUSES } from '$lib/types/events';
import { LEDGER_SORTS, type ProblemItem } from '$lib/types/problems';
import { calendarDay } from '../http/input';

const flag = z.enum(['true', 'false', '1', '0'], '应为 true 或 false').transform((v) => v === 'true' || v === '1');
/** comma-separated values of one set: `status=open,rectifying` */
const some = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
	z
		.string()
		.max(200)
		.transform((text) => text.split(',').filter(Boolean))
		.pipe(z.array(z.enum(values, `${label}应为 ${values.join('、')} 之一`)).max(values.length));

/** The ledger's filters (SPEC §5), as the page's URL and the API's query string carry them. */
export const ledgerFilters = z.object({
	region: z.string().max(12).optional(),
	status: some(PROBLEM_STATUSES, '状态').optional(),
	overdue: flag.optional(),
	source: some(PROBLEM_SOURCES, '来源').optional(),
	category: some(PROBLEM_CATEGORIES, '类别').optional(),
	supervised: flag.optional(),
	/** true/false, or the level it reached */
	escalated: z.enum(['true', 'false', '1', '0', ...ESCALATION_LEVELS], '应为 true、false、city 或 province').optional(),
	deadline_from: calendarDay.optional(),
	deadline_to: calendarDay.optional(),
	/** not closed, with a deadline at most N days ahead (the overdue ones too: what needs doing soonest) */
	due_within: z.coerce.number().int().min(0).max(366).optional(),
	q: z.string().max(100, '关键词最多100个字符').refine((t) => !t.includes('\0'), '关键词含有非法字符').optional(),
	sort: z.enum([...LEDGER_SORTS, ...LEDGER_SORTS.map((s) => `-${s}` as const), 'priority'], '排序字段不正确').default('priority')
});
export type LedgerFilters = z.infer<typeof ledgerFilters>;

/**
 * The URL as a form sends it, read as the API's: a set given by repeated keys
 * (`status=open&status=closed`) joined into one list, a field left empty left out.
 */
export function ledgerUrl(url: URL): URL {
	const joined = new URL(url);
	for (const [key, value] of [...url.searchParams]) if (value === '') joined.searchParams.delete(key, '');
	for (const key of ['status', 'source', 'category']) {
		const all = url.searchParams.getAll(key).filter(Boolean);
		if (all.length > 1) joined.searchParams.set(key, all.join(','));
	}
	return joined;
}

export const pageParams = z.object({
	limit: z.coerce.number().int().min(1).max(200).default(50),
	offset: z.coerce.number().int().min(0).max(1_000_000).default(0)
});

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The one query of the ledger: the page, its count and both exports are built from this
 * fragment, so an export holds exactly the rows the page shows. `within` has passed the scope
 * check already.
 */
function where(db: Db, within: Region, f: LedgerFilters): PendingQuery<Row[]> {
	// a province, city or county is matched on the item's county (a few hundred rows), a township or village on its place
	const inside = within.level === 'township' || within.level === 'village' ? db`r.${db(PATH_COLUMN[within.level])}` : db`c.${db(PATH_COLUMN[within.level])}`;
	const parts: PendingQuery<Row[]>[] = [db`${inside} = ${within.code}`];
	if (f.status?.length) parts.push(db`p.status = any(${f.status}::text[])`);
	if (f.overdue !== undefined) parts.push(f.overdue ? db`(p.status <> 'closed' and p.is_overdue)` : db`not (p.status <> 'closed' and p.is_overdue)`);
	if (f.source?.length) parts.push(db`p.source = any(${f.source}::text[])`);
	if (f.category?.length) parts.push(db`p.category = any(${f.category}::text[])`);
	if (f.supervised !== undefined) parts.push(db`p.supervised = ${f.supervised}`);
	if (f.escalated === 'city' || f.escalated === 'province') parts.push(db`p.escalation = ${f.escalated}`);
	else if (f.escalated !== undefined) parts.push(f.escalated === 'true' || f.escalated === '1' ? db`p.escalation is not null` : db`p.escalation is null`);
	if (f.deadline_from) parts.push(db`p.deadline >= ${f.deadline_from}::date`);
	if (f.deadline_to) parts.push(db`p.deadline <= ${f.deadline_to}::date`);
	if (f.due_within !== undefined) parts.push(db`(p.status <> 'closed' and p.deadline <= current_date + ${f.due_within}::int)`);
	if (f.q?.trim()) {
		const like = `%${escapeLike(f.q.trim())}%`;
		parts.push(db`(p.code ilike ${like} or p.description ilike ${like} or p.responsible_unit ilike ${like} or p.responsible_leader ilike ${like} or r.name ilike ${like} or c.name ilike ${like})`);
	}
	return parts.reduce((all, part) => db`${all} and ${part}`);
}

const ORDER: Record<string, string> = {
	deadline: 'p.deadline',
	found_on: 'p.found_on',
	updated_at: 'p.updated_at',
	code: 'p.code',
	status: "array_position(array['open','rectifying','submitted','closed'], p.status)",
	county: 'p.county_code',
	days_overdue: "(case when p.status <> 'closed' and p.deadline < current_date then current_date - p.deadline else 0 end)"
};

function orderBy(db: Db, sort: LedgerFilters['sort']): PendingQuery<Row[]> {
	// overdue first, then the nearest deadline; closed items last
	if (sort === 'priority') return db`(p.status = 'closed'), (p.status <> 'closed' and p.is_overdue) desc, p.deadline, p.id`;
	const desc = sort.startsWith('-');
	const key = ORDER[desc ? sort.slice(1) : sort];
	return db`${db.unsafe(key)} ${desc ? db`desc` : db`asc`}, p.id`;
}

/** An item's columns as the ledger shows them (`p` the problem, `r` its place, `c` its county, `y` its city). */
const COLUMNS = (db: Db) => db`
	p.id, p.code, p.region_code, r.name as region_name, r.level as region_level, p.county_code, c.name as county_name,
	c.city_code, y.name as city_name, p.category, p.source, p.description, p.found_on::text as found_on, p.deadline::text as deadline,
	p.responsible_unit, p.responsible_leader, p.status, p.supervised, (p.status <> 'closed' and p.is_overdue) as overdue,
	case when p.status <> 'closed' and p.deadline < current_date then current_date - p.deadline else 0 end as days_overdue,
	p.escalation, p.found_by, p.closed_at, p.updated_at`;

/** The rows the filter holds: the item's county always, its place only when the filter asks about it. */
const matching = (db: Db, within: Region, f: LedgerFilters) => {
	const place = within.level === 'township' || within.level === 'village' || !!f.q?.trim();
	return db`problem p join region c on c.code = p.county_code ${place ? db`join region r on r.code = p.region_code` : db``} where ${where(db, within, f)}`;
};

/**
 * The page's rows in the page's order: the filter and the order run on the problems alone, and
 * only the rows kept are joined to their places' names (a province at full scale has 70,000).
 */
function ordered(db: Db, within: Region, f: LedgerFilters, page?: Page): PendingQuery<Row[]> {
	return db`
		select ${COLUMNS(db)}
		from (
			select p.id, row_number() over (order by ${orderBy(db, f.sort)}) as ord
			from ${matching(db, within, f)}
			order by ord ${page ? db`limit ${page.limit} offset ${page.offset}` : db``}
		) k
			join problem p on p.id = k.id
			join region r on r.code = p.region_code
			join region c on c.code = p.county_code
			left join region y on y.code = c.city_code
		order by k.ord`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toItem(row: any): ProblemItem {
	return {
		id: Number(row.id),
		code: row.code,
		region: { code: row.region_code, name: row.region_name, level: row.region_level },
		county: { code: row.county_code, name: row.county_name },
		city: row.city_code ? { code: row.city_code, name: row.city_name } : null,
		category: row.category,
		source: row.source,
		description: row.description,
		found_on: row.found_on,
		deadline: row.deadline,
		responsible_unit: row.responsible_unit,
		responsible_leader: row.responsible_leader,
		status: row.status,
		supervised: row.supervised,
		overdue: row.overdue,
		days_overdue: Number(row.days_overdue),
		escalation: row.escalation,
		found_by: row.found_by,
		closed_at: row.closed_at ? new Date(row.closed_at).toISOString() : null,
		updated_at: new Date(row.updated_at).toISOString()
	};
}

export interface Page {
	limit: number;
	offset: number;
}

/** One page of the ledger inside `within`, and how many rows the filter holds. */
export async function listProblems(within: Region, f: LedgerFilters, page: Page, db: Db = defaultSql): Promise<{ items: ProblemItem[]; total: number }> {
	const [rows, [{ total }]] = await Promise.all([ordered(db, within, f, page), db`select count(*)::int as total from ${matching(db, within, f)}`]);
	return { items: rows.map(toItem), total };
}

/** How many rows the filter holds (an export checks it before it starts). */
export async function countProblems(within: Region, f: LedgerFilters, db: Db = defaultSql): Promise<number> {
	const [{ total }] = await db`select count(*)::int as total from ${matching(db, within, f)}`;
	return total;
}

/** Every row of the filter, in the page's order, a batch at a time (the exports). */
export async function* eachProblem(within: Region, f: LedgerFilters, db: Db = defaultSql): AsyncGenerator<ProblemItem> {
	const cursor = ordered(db, within, f).cursor(500);
	for await (const rows of cursor) for (const row of rows) yield toItem(row);
}

/** One item by id, with its region: the caller checks it against the viewer's scope. */
export async function problemById(id: number, db: Db = defaultSql): Promise<ProblemItem | null> {
	const [row] = await db`
		select ${COLUMNS(db)}
		from problem p join region r on r.code = p.region_code join region c on c.code = p.county_code left join region y on y.code = c.city_code
		where p.id = ${id}`;
	return row ? toItem(row) : null;
}
