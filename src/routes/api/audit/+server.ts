import { json } from '@sveltejs/kit';
import { auditFilters, auditLog } from '$lib/server/auth/audit';
import { requireRole } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { page, query } from '$lib/server/http/params';
import { sql } from '$lib/server/db';
import type { RequestHandler } from './$types';

const filters = auditFilters.extend(page);

export const GET: RequestHandler = route(async (event) => {
	requireRole(event, 'admin');
	const f = query(event.url, filters);
	return json(await auditLog(sql, { ...f, limit: f.limit ?? 100 }));
});
