import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole, requireViewer } from '$lib/server/auth/scope';
import { disconnectSessions } from '$lib/server/events/socket/server';
import { body } from '$lib/server/http/body';
import { route } from '$lib/server/http/errors';
import { page, query } from '$lib/server/http/params';
import { createTeam, sessionsOf, teamInput } from '$lib/server/teams/roster';
import { teamsFor } from '$lib/server/teams/teams';
import type { RequestHandler } from './$types';

const params = z.object(page);

/** Flight-inspection teams with their roster, status, position and current assignment. */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireViewer(event);
	return json(await teamsFor(viewer, query(event.url, params)));
});

/** A new team `{ name, home_region, home?, leader?, members? }`, by an admin or dispatcher, inside their scope. */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'admin', 'dispatcher');
	const { id, moved } = await createTeam(viewer, await body(event.request, teamInput));
	disconnectSessions(await sessionsOf(moved));
	return json({ id }, { status: 201 });
});
