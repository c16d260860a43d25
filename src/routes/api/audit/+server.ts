import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { auditLog } from '$lib/server/auth/audit';
import { requireRole } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { page, query } from '$lib/server/http/params';
import { sql } from '$lib/server/db';
import type { RequestHandler } from './$types';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const filters = z.object({
	actor: z.string().max(60).optional(),
	entity: z.string().max(40).optional(),
	action: z.string().max(40).optional(),
	from: date.optional(),
	to: date.optional(),
	...page
});

export const GET: RequestHandler = route(async (event) => {
	requireRole(event, 'admin');
	const f = query(event.url, filters);
	return json(await auditLog(sql, { ...f, limit: f.limit ?? 100 }));
});
