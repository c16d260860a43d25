import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/scope';
import { body } from '$lib/server/http/body';
import { route } from '$lib/server/http/errors';
import { postForTeam, teamBody } from '$lib/server/teams/posted';
import { idempotencyKeyOf, teamIdOf } from '$lib/server/teams/request';
import type { RequestHandler } from './$types';

/**
 * Arrived, left, back: `{ status?, lon?, lat? }` — a status by the team's allowed moves, where
 * the team is, or both at once.
 */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'inspector', 'dispatcher');
	const team = teamIdOf(event.params.id);
	const key = idempotencyKeyOf(event.request);
	const raw = await body(event.request, teamBody);
	const { seq } = await postForTeam(viewer, 'status' in raw ? 'team.status' : 'team.location', team, raw, key);
	return json({ seq }, { status: 201 });
});
