import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { createKioskToken, listKioskTokens } from '$lib/server/auth/kiosk';
import { requireRole } from '$lib/server/auth/scope';
import { body } from '$lib/server/http/body';
import { route } from '$lib/server/http/errors';
import type { RequestHandler } from './$types';

const input = z.object({ name: z.string().trim().min(1).max(80), region: z.string().regex(/^\d{6}$/, '应为6位地区代码') });

export const GET: RequestHandler = route(async (event) => {
	requireRole(event, 'admin');
	const items = await listKioskTokens();
	return json({ items, total: items.length });
});

export const POST: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const { name, region } = await body(event.request, input);
	return json(await createKioskToken(admin, name, region), { status: 201 });
});
