import { json } from '@sveltejs/kit';
import { createKioskToken, kioskTokenInput, listKioskTokens } from '$lib/server/auth/kiosk';
import { requireRole } from '$lib/server/auth/scope';
import { body } from '$lib/server/http/body';
import { route } from '$lib/server/http/errors';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const items = await listKioskTokens(admin);
	return json({ items, total: items.length });
});

export const POST: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const { name, region } = await body(event.request, kioskTokenInput);
	return json(await createKioskToken(admin, name, region), { status: 201 });
});
