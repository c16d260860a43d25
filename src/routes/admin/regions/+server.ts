import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/scope';
import { sql } from '$lib/server/db';
import { searchRegions } from '$lib/server/geo/search';
import { route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { LEVELS } from '$lib/indicators';
import type { RequestHandler } from './$types';

const params = z.object({
	q: z.string().max(40),
	levels: z
		.string()
		.max(60)
		.default('province,city,county')
		.transform((text) => text.split(',').filter((level): level is (typeof LEVELS)[number] => (LEVELS as readonly string[]).includes(level)))
});

/** The admin pages' region picker: regions by name or code, inside the admin's scope. */
export const GET: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const { q, levels } = query(event.url, params);
	const items = await searchRegions(sql, admin, q, levels);
	return json({ items, total: items.length });
});
