import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { readEvidence } from '$lib/server/problems/evidence';
import { addPhoto } from '$lib/server/teams/photos';
import { idempotencyKeyOf, teamIdOf } from '$lib/server/teams/request';
import { teamFor } from '$lib/server/teams/teams';
import type { RequestHandler } from './$types';

/**
 * A photo from the field (multipart, one file `file`), kept for the team's next finding, which
 * names it in `evidence`: 201 `{ id, name, type, size }`; 415 for what is not an image by its
 * content; 413 past the evidence limit. A retry with the same `Idempotency-Key` gets the same photo.
 */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'inspector', 'dispatcher');
	const team = teamIdOf(event.params.id);
	const key = idempotencyKeyOf(event.request);
	// a team the viewer may not act for is refused before its upload is read
	await teamFor(viewer, team);
	return json(await addPhoto(viewer, team, await readEvidence(event.request), key), { status: 201 });
});
