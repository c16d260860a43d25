import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { problemInScope } from '$lib/server/problems/access';
import { readEvidence } from '$lib/server/problems/evidence';
import { addEvidence } from '$lib/server/problems/moves';
import type { RequestHandler } from './$types';

/** One image or PDF (multipart, field `file`) for a problem the poster may move. */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'county_officer', 'dispatcher', 'leader');
	const scoped = await problemInScope(event, event.params.id);
	const file = await readEvidence(event.request);
	return json(await addEvidence(viewer, scoped, file), { status: 201 });
});
