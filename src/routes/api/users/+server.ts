import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/scope';
import { createUser, listUsers, userInput } from '$lib/server/auth/users';
import { body } from '$lib/server/http/body';
import { route } from '$lib/server/http/errors';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const items = await listUsers(admin);
	return json({ items, total: items.length });
});

export const POST: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const user = await createUser(admin, await body(event.request, userInput));
	return json(user, { status: 201 });
});
