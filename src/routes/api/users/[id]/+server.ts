import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/scope';
import { changeUser, userChange } from '$lib/server/auth/users';
import { body } from '$lib/server/http/body';
import { notFound, route } from '$lib/server/http/errors';
import { disconnectSessions } from '$lib/server/events/socket/server';
import type { RequestHandler } from './$types';

export const PATCH: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const id = Number(event.params.id);
	if (!Number.isSafeInteger(id)) throw notFound('user');
	const { user, endedSessions } = await changeUser(admin, id, await body(event.request, userChange));
	disconnectSessions(endedSessions);
	return json(user);
});
