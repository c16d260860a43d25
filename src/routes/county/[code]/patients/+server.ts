import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope, requireRole } from '$lib/server/auth/scope';
import { ApiError, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { sql } from '$lib/server/db';
import type { RequestHandler } from './$types';

const params = z.object({ village: z.string().regex(/^\d{12}$/, '行政村代码应为12位数字') });

/**
 * The registered patients of one village of the county (pseudonymous ids only), for the
 * progress forms: who is signed and when each was last followed up, treated or enrolled.
 */
export const GET: RequestHandler = route(async (event) => {
	// those who report progress: the county office and the dispatcher
	requireRole(event, 'county_officer', 'dispatcher');
	const county = await regionInScope(event, event.params.code);
	const village = await regionInScope(event, query(event.url, params).village);
	if (village.level !== 'village' || village.countyCode !== county.code) throw new ApiError(404, 'not_found', '没有找到该行政村');
	const rows = await sql`
		select id, category, disease, identified_on::text, treated_on::text, signed_on::text, followed_up_on::text, insured
		from patient where village_code = ${village.code} order by id limit 500`;
	return json({ items: rows, total: rows.length });
});
