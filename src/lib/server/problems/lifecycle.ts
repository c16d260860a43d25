import { covers } from '../auth/scope';
import type { Viewer } from '../auth/viewer';
import type { Region } from '../geo/regions';
import { ApiError } from '../http/errors';
import type { ProblemStatus } from '$lib/types/events';
import type { ProblemMove } from '$lib/types/problems';

/**
 * Who stands where in 销号管理: the county rectifies its own items (`county`); the province's
 * dispatcher, or the city for what the city found, checks them and closes or sends them back
 * (`checker`). The dispatcher alone changes a deadline.
 */
export type Part = 'county' | 'checker';

/**
 * The one table of allowed moves. Every move carries a note; `reason` is why a submission
 * was sent back; `evidence` is a move that claims the work done and must prove it.
 */
export const MOVES: readonly ProblemMove[] = [
	{ from: 'open', to: 'rectifying', by: 'county', reason: false, evidence: false }, // 开始整改
	{ from: 'rectifying', to: 'submitted', by: 'county', reason: false, evidence: true }, // 整改完成，提交核查
	{ from: 'submitted', to: 'closed', by: 'checker', reason: false, evidence: false }, // 核查通过，销号
	{ from: 'submitted', to: 'rectifying', by: 'checker', reason: true, evidence: false } // 核查未通过，退回整改
];

export interface ProblemFacts {
	region: Region;
	found_by: string;
	status: string;
}

/** The part `viewer` plays for this problem, or null: it may only read it (if in scope). */
export async function partOf(viewer: Viewer, problem: ProblemFacts): Promise<Part | null> {
	if (viewer.kind !== 'user' || !(await covers(viewer, problem.region))) return null;
	if (viewer.role === 'county_officer') return 'county';
	if (viewer.role === 'dispatcher') return 'checker';
	if (viewer.role === 'leader' && viewer.scope?.level === 'city' && problem.found_by === 'city') return 'checker';
	return null;
}

/** The moves `part` may make from `status` now. */
export const movesFrom = (part: Part | null, status: string): ProblemMove[] => MOVES.filter((m) => m.by === part && m.from === status);

/** Whether `part` may change the deadline (the dispatcher: checker at province scope). */
export const mayChangeDeadline = (viewer: Viewer, part: Part | null, status: string) =>
	part === 'checker' && viewer.kind === 'user' && viewer.role === 'dispatcher' && status !== 'closed';

/**
 * The move from `from` to `to` for `part`: 403 when this part never makes a move to `to`, 409
 * when it does but not from the current status.
 */
export function moveFor(part: Part | null, from: string, to: ProblemStatus): ProblemMove {
	const mine = MOVES.filter((m) => m.by === part && m.to === to);
	if (!mine.length) throw new ApiError(403, 'forbidden', '当前角色不能把问题改为该状态');
	const move = mine.find((m) => m.from === from);
	if (!move) throw new ApiError(409, 'invalid_move', `问题当前状态不允许改为该状态`);
	return move;
}
