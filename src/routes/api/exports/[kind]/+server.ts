import { z } from 'zod';
import { regionInScope, requireRole } from '$lib/server/auth/scope';
import { sql } from '$lib/server/db';
import { exportCsv, exportXlsx } from '$lib/server/exports/records';
import { notFound, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { IMPORT_KINDS, type ImportKind } from '$lib/types/imports';
import type { RequestHandler } from './$types';

const params = z.object({
	region: z.string().optional(),
	format: z.enum(['csv', 'xlsx']).default('csv'),
	// Chinese headers and words (as the templates), or the English names and identifiers of SPEC §5
	header: z.enum(['zh', 'en']).default('zh')
});

/**
 * The records of one kind in a region, in the import's columns (streamed): imported again, such a
 * file changes nothing.
 */
export const GET: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const kind = event.params.kind;
	if (!(IMPORT_KINDS as readonly string[]).includes(kind)) throw notFound('record');
	const q = query(event.url, params);
	const region = await regionInScope(event, q.region ?? admin.scope?.code ?? '');
	return q.format === 'xlsx' ? exportXlsx(sql, kind as ImportKind, region, q.header) : exportCsv(sql, kind as ImportKind, region, q.header);
});
