import { json } from '@sveltejs/kit';
import { requireViewer } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = route(async (event) => {
	const viewer = requireViewer(event);
	if (viewer.kind === 'kiosk') return json({ username: `kiosk:${viewer.name}`, role: 'kiosk', scope: viewer.scope });
	return json({ username: viewer.username, role: viewer.role, scope: viewer.scope, team: viewer.team });
});
