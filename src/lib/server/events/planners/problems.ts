import type { Db } from '../../db';
import { findRegion, regionOf, type Region } from '../../geo/regions';
import { ApiError } from '../../http/errors';
import type { ProblemCategory, ProblemSource } from '$lib/types/events';
import { day, type Change, type Plan, type Planner } from './plan';

// rectification moves one way: 立行立改 → 整改中 → 销号
const NEXT_STATUS: Record<string, string | undefined> = { open: 'rectifying', rectifying: 'closed' };

const invalid = (field: string, message: string) => new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field, message }]);

interface ProblemRow {
	status: string;
	supervised: boolean;
	region_code: string;
	[column: string]: unknown;
}

/** A change of one ledger item, locked until commit; the plan's rest comes from `plan`. */
async function problemPlan(tx: Db, id: number, counts: boolean, plan: (before: ProblemRow) => Change & Pick<Plan, 'events'>): Promise<Plan | null> {
	// the subject's region is read right behind the row, in the same round trip
	const read = tx`select * from problem where id = ${id} for update`.execute();
	const [[before], subjectRegion] = await Promise.all([read, regionOf(tx, tx`select region_code from problem where id = ${id}`)]);
	if (!before || !subjectRegion) return null;
	return { entity: 'problem', entityId: id, subject: before.region_code, subjectRegion, counts, before, ...plan(before as ProblemRow) };
}

export const problemStatusChange: Planner<'problem.status_changed'> = (tx, p) =>
	problemPlan(tx, p.problem, true, (before) => ({
		statement: (tx) => {
			if (NEXT_STATUS[before.status] !== p.status) throw invalid('payload.status', `问题状态不能从 ${before.status} 改为 ${p.status}`);
			return tx`
				update problem set status = ${p.status},
					closed_at = case when ${p.status} = 'closed' then now() end, updated_at = now()
				where id = ${p.problem} returning *`;
		},
		events: (after) => [{ type: 'problem.status_changed', payload: { problem: p.problem, code: after.code, status: after.status, from: before.status } }]
	}));

/** 挂牌督办: the province or the nation lists the problem for supervision; a national listing may follow a provincial one. */
export const problemSupervision: Planner<'problem.supervised'> = (tx, p) =>
	problemPlan(tx, p.problem, false, (before) => ({
		apply: async (tx) => {
			// a supervised problem without a level is the province's (0027)
			const from = before.supervised ? ((before.supervision_level as string | null) ?? 'province') : null;
			if (before.status === 'closed') throw invalid('payload.problem', '已销号的问题不能挂牌督办');
			if (from === p.level || from === 'national') throw invalid('payload.level', '该问题已在此级别或更高级别挂牌督办');
			const [after] = await tx`
				update problem set supervised = true, supervision_level = ${p.level}, supervised_at = now(), updated_at = now()
				where id = ${p.problem} returning *`;
			return after;
		},
		events: (after) => [
			{
				type: 'problem.supervised',
				payload: {
					problem: p.problem,
					code: after.code,
					deadline: day(after.deadline),
					level: p.level,
					from: before.supervised ? ((before.supervision_level as 'province' | 'national' | null) ?? 'province') : null
				}
			}
		]
	}));

export interface NewProblem {
	region: string;
	category: ProblemCategory;
	source: ProblemSource;
	description: string;
	deadline?: string;
	responsible_unit?: string;
	responsible_leader?: string;
}

/** A finding's deadline when none is given: 30 days to rectify. */
const DEFAULT_DAYS = 30;
// two-key advisory lock class: one problem number at a time per county
export const PROBLEM_CODE_LOCK = 7312;

/** The region a new problem lies in: a county or a place inside one. */
export async function problemRegion(tx: Db, code: string): Promise<Region | null> {
	const region = await findRegion(code, tx);
	if (region && region.countyCode === null) throw invalid('payload.region', '问题应落在县（市、区）及以下');
	return region;
}

/** Writes a problem into the county's ledger under the next number (WT-<county>-0001 …). */
export async function insertProblem(tx: Db, region: Region, problem: NewProblem): Promise<Record<string, unknown>> {
	const county = region.countyCode!;
	await tx`select pg_advisory_xact_lock(${PROBLEM_CODE_LOCK}::int, hashtext(${county}))`;
	const [row] = await tx`
		insert into problem (code, region_code, county_code, category, source, description, found_on, deadline,
			responsible_unit, responsible_leader)
		select 'WT-' || ${county} || '-' || lpad((coalesce(max(substr(code, 11)::int), 0) + 1)::text, 4, '0'),
			${region.code}, ${county}, ${problem.category}, ${problem.source}, ${problem.description}, current_date,
			coalesce(${problem.deadline ?? null}::date, current_date + ${DEFAULT_DAYS}::int),
			coalesce(${problem.responsible_unit ?? null}, (select name from region where code = ${county}) || '卫生健康局'),
			coalesce(${problem.responsible_leader ?? null}, '待明确')
		from problem where county_code = ${county} and code ~ ${`^WT-${county}-[0-9]+$`}
		returning *`;
	return row;
}

export const problemCreation: Planner<'problem.created'> = async (tx, p) => {
	const region = await problemRegion(tx, p.region);
	if (!region) return null;
	return {
		entity: 'problem',
		entityId: p.region,
		subject: region.code,
		subjectRegion: region,
		counts: true,
		before: null,
		apply: (tx) => insertProblem(tx, region, p),
		events: (after) => [{ type: 'problem.created', payload: problemCreated(after) }]
	};
};

export const problemCreated = (row: Record<string, unknown>) => ({
	problem: Number(row.id),
	code: row.code as string,
	region: row.region_code as string,
	category: row.category as ProblemCategory,
	source: row.source as ProblemSource,
	deadline: day(row.deadline)
});
