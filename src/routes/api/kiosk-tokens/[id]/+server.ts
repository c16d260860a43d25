import { revokeKioskToken } from '$lib/server/auth/kiosk';
import { requireRole } from '$lib/server/auth/scope';
import { notFound, route } from '$lib/server/http/errors';
import { disconnectKiosk } from '$lib/server/events/socket/server';
import type { RequestHandler } from './$types';

export const DELETE: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const id = Number(event.params.id);
	if (!Number.isSafeInteger(id) || !(await revokeKioskToken(admin, id))) throw notFound('token');
	disconnectKiosk(id);
	return new Response(null, { status: 204 });
});
