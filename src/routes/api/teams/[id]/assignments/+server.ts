import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/scope';
import { body } from '$lib/server/http/body';
import { route } from '$lib/server/http/errors';
import { postedPayload, postForTeam, teamBody } from '$lib/server/teams/posted';
import { idempotencyKeyOf, teamIdOf } from '$lib/server/teams/request';
import type { RequestHandler } from './$types';

/**
 * Sends the team: `{ county, places?, starts_on?, ends_on?, reason?, unannounced? }`, unannounced
 * unless said otherwise (四不两直). Nothing of it reaches the county it goes to.
 */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'dispatcher');
	const team = teamIdOf(event.params.id);
	const key = idempotencyKeyOf(event.request);
	const { seq } = await postForTeam(viewer, 'team.assigned', team, await body(event.request, teamBody), key);
	const { assignment } = await postedPayload(seq);
	return json({ id: assignment, seq }, { status: 201 });
});
