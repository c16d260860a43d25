import { json } from '@sveltejs/kit';
import { requireViewer } from '$lib/server/auth/scope';
import { body } from '$lib/server/http/body';
import { ApiError, route } from '$lib/server/http/errors';
import { problemInScope } from '$lib/server/problems/access';
import { problemDetail } from '$lib/server/problems/detail';
import { patchProblem, problemPatch } from '$lib/server/problems/moves';
import type { RequestHandler } from './$types';

/** One ledger item with its timeline and the moves this viewer may make. */
export const GET: RequestHandler = route(async (event) => json(await problemDetail(await problemInScope(event, event.params.id))));

/** A move of 销号管理 or a new deadline, by the lifecycle table; answers the item after it. */
export const PATCH: RequestHandler = route(async (event) => {
	const viewer = requireViewer(event);
	if (viewer.kind !== 'user') throw new ApiError(403, 'forbidden', '当前账号无权执行此操作');
	const scoped = await problemInScope(event, event.params.id);
	const patch = await body(event.request, problemPatch);
	await patchProblem(viewer, scoped, patch);
	return json(await problemDetail(await problemInScope(event, event.params.id)));
});
