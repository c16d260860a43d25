import { SESSION_COOKIE, endSession } from '$lib/server/auth/sessions';
import { requireViewer } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { disconnectSessions } from '$lib/server/events/socket/server';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = route(async (event) => {
	requireViewer(event);
	const token = event.cookies.get(SESSION_COOKIE);
	if (token) disconnectSessions([await endSession(token)]);
	event.cookies.delete(SESSION_COOKIE, { path: '/' });
	return new Response(null, { status: 204 });
});
