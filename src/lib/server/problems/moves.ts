import { z } from 'zod';
import type { UserViewer } from '../events/write/planners/plan';
import { problemCreation, problemDeadlineChange, problemEvidence, problemStatusChange } from '../events/write/planners/problems';
import { commitPlan } from '../events/write/post';
import { eventOfType } from '../events/log';
import { problemMove, upcomingDay } from '../events/types';
import { ApiError } from '../http/errors';
import { PROBLEM_CATEGORIES, PROBLEM_SOURCES, type EvidenceRef } from '$lib/types/events';
import type { ScopedProblem } from './access';
import type { EvidenceFile } from '../events/write/planners/problems';

const { problem: _problem, ...move } = problemMove;
const text = (max: number, label: string) => z.string().trim().min(1, `${label}不能为空`).max(max, `${label}最多${max}个字符`);

/** `PATCH /api/problems/{id}`: a move (`status`, `note`, `reason`, `evidence`) or a new deadline (`deadline`, `reason`), one at a time. */
export const problemPatch = z.union([
	z.object({ ...move }).strict(),
	z.object({ deadline: upcomingDay, reason: text(300, '调整理由') }).strict()
], { error: (issue) => (issue.code === 'invalid_union' ? '应提供 status 与 note（状态变更），或 deadline 与 reason（调整期限）' : undefined) });
export type ProblemPatch = z.infer<typeof problemPatch>;

/** Commits a move or a deadline change of a problem the viewer may read, through the event write path. */
export async function patchProblem(viewer: UserViewer, scoped: ScopedProblem, patch: ProblemPatch): Promise<void> {
	const id = scoped.problem.id;
	if ('status' in patch) await commitPlan(viewer, 'problem.status_changed', (tx) => problemStatusChange(tx, { problem: id, ...patch }, viewer), undefined, `problem:${id}`);
	else await commitPlan(viewer, 'problem.deadline_changed', (tx) => problemDeadlineChange(tx, { problem: id, ...patch }, viewer), undefined, `problem:${id}`);
}

/** Keeps an uploaded file with the problem until a move claims it. */
export async function addEvidence(viewer: UserViewer, scoped: ScopedProblem, file: EvidenceFile): Promise<EvidenceRef> {
	const [event] = await commitPlan(viewer, 'problem.evidence_added', (tx) => problemEvidence(tx, scoped.problem.id, file, viewer));
	return eventOfType(event, 'problem.evidence_added').payload.evidence;
}

const regionCode = z.string().regex(/^(\d{6}|\d{9}|\d{12})$/, '地区代码应为6、9或12位数字');

/** `POST /api/problems`: a new item with its place, deadline, responsible unit and leader. */
export const newProblem = z
	.object({
		region: regionCode,
		category: z.enum(PROBLEM_CATEGORIES, `类别应为 ${PROBLEM_CATEGORIES.join('、')} 之一`),
		source: z.enum(PROBLEM_SOURCES, `来源应为 ${PROBLEM_SOURCES.join('、')} 之一`).optional(),
		description: text(500, '问题描述'),
		deadline: upcomingDay,
		responsible_unit: text(100, '责任单位'),
		responsible_leader: text(50, '责任领导')
	})
	.strict();

/** Writes a new item into its county's ledger; who found it follows from the poster's level. */
export async function createProblem(viewer: UserViewer, input: z.infer<typeof newProblem>): Promise<number> {
	const registers = viewer.role === 'county_officer' || viewer.role === 'dispatcher' || (viewer.role === 'leader' && viewer.scope?.level === 'city');
	if (!registers) throw new ApiError(403, 'forbidden', '当前账号不能登记问题');
	// a county's own items come from its self-check unless it says otherwise
	const source = input.source ?? (viewer.role === 'county_officer' ? 'self_check' : undefined);
	if (!source) throw new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field: 'source', message: '请选择问题来源' }]);
	const [event] = await commitPlan(viewer, 'problem.created', (tx) => problemCreation(tx, { ...input, source }, viewer));
	return eventOfType(event, 'problem.created').payload.problem;
}
