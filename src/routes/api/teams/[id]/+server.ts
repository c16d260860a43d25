import { json } from '@sveltejs/kit';
import { requireRole, requireViewer } from '$lib/server/auth/scope';
import { disconnectSessions } from '$lib/server/events/socket/server';
import { body } from '$lib/server/http/body';
import { route } from '$lib/server/http/errors';
import { changeTeam, sessionsOf, teamChange } from '$lib/server/teams/roster';
import { teamIdOf } from '$lib/server/teams/request';
import { teamFor } from '$lib/server/teams/teams';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = route(async (event) => {
	return json(await teamFor(requireViewer(event), teamIdOf(event.params.id)));
});

/** Name, leader, members, base; status by its allowed moves; position. Members whose team changed reconnect. */
export const PATCH: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'admin', 'dispatcher');
	const id = teamIdOf(event.params.id);
	const { moved } = await changeTeam(viewer, id, await body(event.request, teamChange));
	disconnectSessions(await sessionsOf(moved));
	return json(await teamFor(viewer, id));
});
