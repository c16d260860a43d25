import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole, requireViewer } from '$lib/server/auth/scope';
import { body } from '$lib/server/http/body';
import { route } from '$lib/server/http/errors';
import { page, query } from '$lib/server/http/params';
import { findingsOf } from '$lib/server/teams/findings';
import { postFinding, teamBody } from '$lib/server/teams/posted';
import { idempotencyKeyOf, teamIdOf } from '$lib/server/teams/request';
import type { RequestHandler } from './$types';

/**
 * 即时反馈: `{ region, category, description, deadline?, responsible_unit?, responsible_leader?,
 * evidence? }` with an `Idempotency-Key`; filed at once as a problem of the county, with a
 * deadline. A retry with the same key answers the same problem and files nothing again.
 */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'inspector', 'dispatcher');
	const team = teamIdOf(event.params.id);
	const key = idempotencyKeyOf(event.request);
	const answer = await postFinding(viewer, team, await body(event.request, teamBody), key);
	return json(answer, { status: 201 });
});

const params = z.object(page);

/** The team's findings, newest first: what it has delivered. */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireViewer(event);
	return json(await findingsOf(viewer, { team: teamIdOf(event.params.id), ...query(event.url, params) }));
});
