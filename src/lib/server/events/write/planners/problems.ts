import type { Db } from '../../../db';
import { findRegion, regionOf, type Region } from '../../../geo/regions';
import { ApiError } from '../../../http/errors';
import { covers } from '../../../auth/scope';
import { mayChangeDeadline, moveFor, partOf, type Part } from '../../../problems/lifecycle';
import type { EscalationLevel, EvidenceRef, ProblemCategory, ProblemSource, ProblemStatus } from '$lib/types/events';
import { dayOf, daysBetween } from '$lib/days';
import { escalationDue, type EscalationLimits } from '../../../problems/escalation';
import type { PostedPayload } from '../../types';
import type { Writer } from '../post';
import { day, outOfReach, type Change, type Plan, type PlannedEvent, type Planner, type UserViewer } from './plan';

const invalid = (field: string, message: string) => new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field, message }]);

interface ProblemRow {
	status: string;
	supervised: boolean;
	region_code: string;
	found_by: string;
	escalation: string | null;
	code: string;
	deadline: unknown;
	[column: string]: unknown;
}

type ProblemChange = Change & Pick<Plan, 'events'> & Partial<Pick<Plan, 'audited'>>;

/** A change of one ledger item, locked until commit; the plan's rest comes from `plan`. */
async function problemPlan(
	tx: Db,
	id: number,
	counts: boolean,
	plan: (before: ProblemRow, region: Region) => ProblemChange | Promise<ProblemChange>
): Promise<Plan | null> {
	// the subject's region is read right behind the row, in the same round trip
	const read = tx`select * from problem where id = ${id} for update`.execute();
	const [[before], subjectRegion] = await Promise.all([read, regionOf(tx, tx`select region_code from problem where id = ${id}`)]);
	if (!before || !subjectRegion) return null;
	const change = await plan(before as ProblemRow, subjectRegion);
	return { entity: 'problem', entityId: id, subject: before.region_code, subjectRegion, counts, before, ...change };
}

/** The part the viewer plays for this item; out of its scope it is refused before anything about the item is said. */
async function partFor(viewer: Writer, before: ProblemRow, region: Region): Promise<Part | null> {
	if (viewer.kind === 'system') return 'checker';
	// the write path's own answer: out of scope says nothing of the item, nor that it exists
	if (!(await covers(viewer, region))) throw outOfReach();
	return partOf(viewer, { region, found_by: before.found_by, status: before.status });
}

/** Marks the files `ids` of problem `id` as used by this move; each must be its own and unused. */
async function attachEvidence(tx: Db, id: number, ids: number[]): Promise<EvidenceRef[]> {
	if (!ids.length) return [];
	const rows = await tx`
		update problem_evidence set attached_at = now()
		where problem_id = ${id} and id = any(${ids}::bigint[]) and attached_at is null
		returning id, name, media_type, size`;
	if (rows.length !== new Set(ids).size) throw invalid('evidence', '佐证材料不存在、不属于该问题或已用于其他环节');
	return rows.map((r) => ({ id: Number(r.id), name: r.name, type: r.media_type, size: r.size })).sort((a, b) => a.id - b.id);
}

const deescalated = (after: Record<string, unknown>, level: unknown, today: string): PlannedEvent[] =>
	level
		? [{ type: 'problem.escalated', payload: { problem: Number(after.id), code: after.code as string, level: null, deadline: day(after.deadline), daysOverdue: Math.max(0, daysBetween(day(after.deadline), today)) } }]
		: [];

/**
 * A move of 销号管理, by the lifecycle table (`problems/lifecycle.ts`): who may make it, from
 * which status, with what. Closing an escalated item de-escalates it in the same commit.
 */
export const problemStatusChange = (tx: Db, p: PostedPayload<'problem.status_changed'>, viewer: Writer) =>
	problemPlan(tx, p.problem, true, async (before, region) => {
		const move = moveFor(await partFor(viewer, before, region), before.status, p.status);
		if (move.reason && !p.reason) throw invalid('reason', '退回整改应说明理由');
		if (move.evidence && !p.evidence?.length) throw invalid('evidence', '提交核查应附整改佐证材料（图片或PDF）');
		const closing = p.status === 'closed';
		let evidence: EvidenceRef[] = [];
		return {
			apply: async (tx) => {
				evidence = await attachEvidence(tx, p.problem, p.evidence ?? []);
				const [after] = await tx`
					update problem set status = ${p.status},
						closed_at = case when ${closing} then now() end,
						escalation = case when ${closing} then null else escalation end,
						escalated_at = case when ${closing} then null else escalated_at end,
						updated_at = now()
					where id = ${p.problem} returning *`;
				return after;
			},
			events: (after): PlannedEvent[] => [
				{
					type: 'problem.status_changed',
					payload: {
						problem: p.problem,
						code: after.code as string,
						status: p.status,
						from: before.status as ProblemStatus,
						note: p.note,
						...(p.reason ? { reason: p.reason } : {}),
						...(evidence.length ? { evidence } : {})
					}
				},
				...(closing ? deescalated(after, before.escalation, dayOf()) : [])
			]
		};
	});

export interface DeadlineChange {
	problem: number;
	deadline: string;
	reason: string;
}

/** The dispatcher moves a deadline, with a reason; the item is then no longer overdue nor escalated. */
export const problemDeadlineChange = (tx: Db, p: DeadlineChange, viewer: Writer) =>
	problemPlan(tx, p.problem, true, async (before, region) => {
		const part = await partFor(viewer, before, region);
		if (!(viewer.kind === 'user' && mayChangeDeadline(viewer, part, before.status))) {
			if (before.status === 'closed' && viewer.kind === 'user' && viewer.role === 'dispatcher') throw new ApiError(409, 'invalid_move', '已销号的问题不能调整期限');
			throw new ApiError(403, 'forbidden', '只有省级调度可以调整整改期限');
		}
		if (p.deadline < day(before.found_on)) throw invalid('deadline', '整改期限不能早于发现日期');
		return {
			statement: (tx) => tx`
				update problem set deadline = ${p.deadline}, is_overdue = false, escalation = null, escalated_at = null, updated_at = now()
				where id = ${p.problem} returning *`,
			events: (after): PlannedEvent[] => [
				{ type: 'problem.deadline_changed', payload: { problem: p.problem, code: after.code as string, deadline: p.deadline, from: day(before.deadline), reason: p.reason } },
				...deescalated(after, before.escalation, dayOf())
			]
		};
	});

export interface EvidenceFile {
	name: string;
	type: string;
	size: number;
	sha256: string;
	content: Uint8Array;
}

/** A file that proves rectification, kept with the problem until a move claims it. */
export const problemEvidence = (tx: Db, problem: number, file: EvidenceFile, viewer: UserViewer) =>
	problemPlan(tx, problem, false, async (before, region) => {
		const part = await partFor(viewer, before, region);
		if (part === null) throw new ApiError(403, 'forbidden', '当前账号不能为该问题上传佐证材料');
		if (before.status === 'closed') throw new ApiError(409, 'invalid_move', '已销号的问题不能再上传材料');
		return {
			statement: (tx) => tx`
				insert into problem_evidence (problem_id, name, media_type, size, sha256, content, uploaded_by)
				values (${problem}, ${file.name}, ${file.type}, ${file.size}, ${file.sha256}, ${Buffer.from(file.content)}, ${viewer.username})
				returning id, problem_id, name, media_type, size, sha256, uploaded_by, uploaded_at`,
			events: (after): PlannedEvent[] => [
				{ type: 'problem.evidence_added', payload: { problem, code: before.code, evidence: { id: Number(after.id), name: after.name as string, type: after.media_type as string, size: after.size as number } } }
			]
		};
	});

/** The deadline watcher: the item's deadline passed before `today` while it was not closed. */
export const problemOverdue = (tx: Db, problem: number, today: string) =>
	problemPlan(tx, problem, true, (before) => {
		if (before.status === 'closed' || before.is_overdue || day(before.deadline) >= today) throw new NotDue();
		return {
			statement: (tx) => tx`update problem set is_overdue = true, updated_at = now() where id = ${problem} returning *`,
			events: (after): PlannedEvent[] => [{ type: 'problem.overdue', payload: { problem, code: after.code as string, deadline: day(after.deadline), supervised: after.supervised as boolean } }]
		};
	});

const RANK = { city: 1, province: 2 } as const;

/** The deadline watcher: an overdue item escalates to the next level its days past the deadline call for. */
export const problemEscalation = (tx: Db, problem: number, today: string, limits: EscalationLimits) =>
	problemPlan(tx, problem, false, (before) => {
		const due = before.status === 'closed' ? null : escalationDue(day(before.deadline), today, limits);
		const current = before.escalation as EscalationLevel | null;
		if (!due || (current && RANK[current] >= RANK[due])) throw new NotDue();
		return {
			statement: (tx) => tx`update problem set escalation = ${due}, escalated_at = now(), updated_at = now() where id = ${problem} returning *`,
			events: (after): PlannedEvent[] => [
				{ type: 'problem.escalated', payload: { problem, code: after.code as string, level: due, deadline: day(after.deadline), daysOverdue: daysBetween(day(after.deadline), today) } }
			]
		};
	});

/** The watcher found the item changed since it was listed (another node, a move): nothing to do. */
export class NotDue extends Error {}

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
		events: (after): PlannedEvent[] => [
			{
				type: 'problem.supervised',
				payload: {
					problem: p.problem,
					code: after.code as string,
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
	/** who found it: decides who checks its rectification (default: the county for its self-check, else the province) */
	found_by?: 'province' | 'city' | 'county';
}

/** A finding's deadline when none is given: 30 days to rectify. */
const DEFAULT_DAYS = 30;
// two-key advisory lock class: one problem number at a time per county
export const PROBLEM_CODE_LOCK = 7312;

/**
 * The region a new problem lies in: a county or a place inside one. One the poster may not
 * reach (`within`) is null, as one that does not exist, before its level is looked at.
 */
export async function problemRegion(tx: Db, code: string, within: (region: Region) => boolean | Promise<boolean>): Promise<Region | null> {
	const region = await findRegion(code, tx);
	if (!region || !(await within(region))) return null;
	if (region.countyCode === null) throw invalid('payload.region', '问题应落在县（市、区）及以下');
	return region;
}

/** Writes a problem into the county's ledger under the next number (WT-<county>-0001 …). */
export async function insertProblem(tx: Db, region: Region, problem: NewProblem): Promise<Record<string, unknown>> {
	const county = region.countyCode!;
	await tx`select pg_advisory_xact_lock(${PROBLEM_CODE_LOCK}::int, hashtext(${county}))`;
	const [row] = await tx`
		insert into problem (code, region_code, county_code, category, source, description, found_on, deadline,
			responsible_unit, responsible_leader, found_by)
		select 'WT-' || ${county} || '-' || lpad((coalesce(max(substr(code, 11)::int), 0) + 1)::text, 4, '0'),
			${region.code}, ${county}, ${problem.category}, ${problem.source}, ${problem.description}, current_date,
			coalesce(${problem.deadline ?? null}::date, current_date + ${DEFAULT_DAYS}::int),
			coalesce(${problem.responsible_unit ?? null}, (select name from region where code = ${county}) || '卫生健康局'),
			coalesce(${problem.responsible_leader ?? null}, '待明确'),
			${problem.found_by ?? (problem.source === 'self_check' ? 'county' : 'province')}
		from problem where county_code = ${county} and code ~ ${`^WT-${county}-[0-9]+$`}
		returning *`;
	return row;
}

const FOUND_BY = { county_officer: 'county', leader: 'city', dispatcher: 'province' } as const;

/** A new item; who found it follows from the poster's level unless the caller says. */
export const problemCreation = async (tx: Db, p: NewProblem, viewer?: UserViewer): Promise<Plan | null> => {
	if (!p.found_by && viewer) p = { ...p, found_by: FOUND_BY[viewer.role as keyof typeof FOUND_BY] };
	const region = await problemRegion(tx, p.region, (region) => !viewer || covers(viewer, region));
	if (!region) return null;
	return {
		entity: 'problem',
		entityId: p.region,
		subject: region.code,
		subjectRegion: region,
		counts: true,
		before: null,
		apply: (tx) => insertProblem(tx, region, p),
		events: (after): PlannedEvent[] => [{ type: 'problem.created', payload: problemCreated(after) }]
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
