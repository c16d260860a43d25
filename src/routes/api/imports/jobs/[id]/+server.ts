import { json } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/scope';
import { sql } from '$lib/server/db';
import { notFound, route } from '$lib/server/http/errors';
import { readJob } from '$lib/server/imports/jobs';
import type { RequestHandler } from './$types';

/** An import's progress, for its own uploader only (anyone else's job is not found). */
export const GET: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const job = await readJob(sql, event.params.id, admin.id);
	if (!job) throw notFound('record');
	return json(job, { headers: { 'cache-control': 'no-store' } });
});
