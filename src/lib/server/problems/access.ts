import { covers, requireViewer, type Asker } from '../auth/scope';
import type { Viewer } from '../auth/viewer';
import { sql as defaultSql, type Db } from '../db';
import { findRegion, type Region } from '../geo/regions';
import { ApiError } from '../http/errors';
import type { ProblemItem } from '$lib/types/problems';
import { problemById } from './ledger';

export const PROBLEM_ID = /^[1-9]\d{0,15}$/;

const missing = () => new ApiError(404, 'not_found', '没有找到该问题');

export interface ScopedProblem {
	viewer: Viewer;
	problem: ProblemItem;
	region: Region;
}

/**
 * A ledger item the asker may read, by the one scope check on its region. An item out of scope
 * answers exactly as one that does not exist (the same 404, the same words).
 */
export async function problemInScope(asker: Asker, id: string | number, db: Db = defaultSql): Promise<ScopedProblem> {
	const viewer = requireViewer(asker);
	if (!PROBLEM_ID.test(String(id))) throw missing();
	const problem = await problemById(Number(id), db);
	const region = problem ? await findRegion(problem.region.code, db) : null;
	if (!problem || !region || !(await covers(viewer, region))) throw missing();
	return { viewer, problem, region };
}
