import { PROBLEM_CODE_LOCK } from '../events/write/planners/problems';
import { PROBLEM_CATEGORY_WORDS, PROBLEM_SOURCE_WORDS, PROBLEM_STATUS_WORDS } from '$lib/types/imports';
import { countiesOf, type ImportSpec } from './kind';
import { duplicates, notAfterToday, references } from './checks';

const MB = 1024 * 1024;
/** A ledger code as the county's ledger numbers it (events/write/planners/problems.ts): WT-<county>-0001. */
const CODE = /^WT-\d{6}-\d{4,6}$/;

/** 问题台账: the ledger's items with deadline, responsible unit and leader, and status (SPEC §5). */
export const problems: ImportSpec = {
	kind: 'problems',
	table: 'import_problem',
	key: 'code',
	geojson: false,
	limit: 32 * MB,
	refColumn: 'region_code',

	read(c) {
		const found = c.date('found_on', true);
		const deadline = c.date('deadline', true);
		if (found && deadline && deadline < found) c.fail('deadline', `整改期限 ${deadline} 早于发现日期 ${found}`);
		const code = c.code('code', CODE, '如 WT-371424-0001 的问题编号（新问题可不填）', false);
		const region = c.code('region_code', /^(\d{6}|\d{9}|\d{12})$/, '6、9或12位数字的县、乡镇或村代码');
		if (code && region && code.slice(3, 9) !== region.slice(0, 6)) c.fail('code', `问题编号 ${code} 中的县代码与地区代码 ${region} 不一致`);
		return {
			code,
			region_code: region,
			category: c.word('category', PROBLEM_CATEGORY_WORDS, true),
			source: c.word('source', PROBLEM_SOURCE_WORDS, true),
			description: c.text('description', { required: true, max: 500 }),
			found_on: found,
			deadline,
			responsible_unit: c.text('responsible_unit', { required: true, max: 100 }),
			responsible_leader: c.text('responsible_leader', { required: true, max: 50 }),
			status: c.word('status', PROBLEM_STATUS_WORDS, false)
		};
	},

	stage: (db, job, rows) => db`
		insert into import_problem (job, row, code, region_code, category, source, description, found_on, deadline,
			responsible_unit, responsible_leader, status)
		select ${job}, r.row, r.code, r.region_code, r.category, r.source, r.description, r.found_on, r.deadline,
			r.responsible_unit, r.responsible_leader, r.status
		from jsonb_to_recordset(${db.json(rows as never)}) as r(row int, code text, region_code text, category text, source text,
			description text, found_on date, deadline date, responsible_unit text, responsible_leader text, status text)`,

	async check(db, job, scope) {
		await duplicates(db, job, 'import_problem', 'code', '问题编号');
		// a problem lies in a county or a place inside one (events/write/planners/problems.ts: problemRegion)
		await references(db, job, scope.codes, {
			table: 'import_problem',
			column: 'region_code',
			label: '地区代码',
			levels: ['county', 'township', 'village'],
			wrongLevel: '不是县、乡镇或村的代码：问题应落在县（市、区）及以下'
		});
		await notAfterToday(db, job, 'import_problem', 'found_on', '发现日期');
	},

	async mark(db, job) {
		await db`update import_problem s set change = 'insert'
			where s.job = ${job} and (s.code is null or not exists (select 1 from problem q where q.code = s.code))`;
		// a blank status keeps what is stored
		await db`update import_problem s set change = 'update', old_region = q.region_code
			from problem q
			where s.job = ${job} and q.code = s.code
				and (q.region_code, q.category, q.source, q.description, q.found_on, q.deadline, q.responsible_unit, q.responsible_leader, q.status)
					is distinct from (s.region_code, s.category, s.source, s.description, s.found_on, s.deadline, s.responsible_unit,
						s.responsible_leader, coalesce(s.status, q.status))`;
	},

	counties: (db, job) => countiesOf(db, job, 'import_problem', 'region_code', 'old_region'),

	async lock(tx, job) {
		await tx`select 1 from problem where code in (select code from import_problem where job = ${job} and change = 'update') order by code for update`;
	},

	async write(tx, job) {
		const [updated] = await tx`
			with written as (
				update problem q set region_code = s.region_code, county_code = r.county_code, category = s.category, source = s.source,
					description = s.description, found_on = s.found_on, deadline = s.deadline, responsible_unit = s.responsible_unit,
					responsible_leader = s.responsible_leader, status = coalesce(s.status, q.status),
					closed_at = case when coalesce(s.status, q.status) = 'closed' then coalesce(q.closed_at, now()) end,
					-- still overdue only if it still is; the deadline watcher marks the newly overdue
					is_overdue = q.is_overdue and coalesce(s.status, q.status) <> 'closed' and s.deadline < current_date,
					updated_at = now()
				from import_problem s join region r on r.code = s.region_code
				where s.job = ${job} and s.change = 'update' and q.code = s.code
				returning 1
			)
			select count(*)::int as n from written`;
		// new items under the county's next numbers, one county's numbering at a time
		await tx`
			select pg_advisory_xact_lock(${PROBLEM_CODE_LOCK}::int, hashtext(c.county)) from (
				select distinct r.county_code as county from import_problem s join region r on r.code = s.region_code
				where s.job = ${job} and s.change = 'insert' order by 1
			) c`;
		const insert = (numbered: boolean) => tx`
			insert into problem (code, region_code, county_code, category, source, description, found_on, deadline,
				responsible_unit, responsible_leader, status, closed_at)
			select ${numbered ? tx`'WT-' || r.county_code || '-' || lpad((n.top + row_number() over (partition by r.county_code order by s.row))::text, 4, '0')` : tx`s.code`},
				s.region_code, r.county_code, s.category, s.source, s.description, s.found_on, s.deadline,
				s.responsible_unit, s.responsible_leader, coalesce(s.status, 'open'),
				case when s.status = 'closed' then now() end
			from import_problem s
				join region r on r.code = s.region_code
				cross join lateral (
					select coalesce(max(substr(q.code, 11)::int), 0) as top from problem q
					where q.county_code = r.county_code and q.code ~ ('^WT-' || r.county_code || '-[0-9]+$')
				) n
			where s.job = ${job} and s.change = 'insert' and ${numbered ? tx`s.code is null` : tx`s.code is not null`}
			returning 1`;
		// the codes the file gives first: the numbers handed out then follow the highest of them
		const given = await insert(false);
		const numbered = await insert(true);
		return { inserted: given.length + numbered.length, updated: updated.n };
	}
};
