import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/scope';
import { sql } from '$lib/server/db';
import { route } from '$lib/server/http/errors';
import { page, query } from '$lib/server/http/params';
import { importHistory } from '$lib/server/imports/history';
import type { RequestHandler } from './$types';

const params = z.object(page);

/** The imports applied so far, newest first (from the audit log). */
export const GET: RequestHandler = route(async (event) => {
	requireRole(event, 'admin');
	const { limit, offset } = query(event.url, params);
	return json(await importHistory(sql, { limit: Math.min(limit ?? 50, 500), offset }));
});
