import { z } from 'zod';
import { requireRole } from '$lib/server/auth/scope';
import { csvTemplate, xlsxTemplate } from '$lib/server/exports/templates';
import { notFound, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { IMPORT_KINDS, type ImportKind } from '$lib/types/imports';
import type { RequestHandler } from './$types';

const params = z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx') });

/** The empty file of a kind with its Chinese header, as CSV or .xlsx. */
export const GET: RequestHandler = route(async (event) => {
	requireRole(event, 'admin');
	const kind = event.params.kind;
	if (!(IMPORT_KINDS as readonly string[]).includes(kind)) throw notFound('record');
	const { format } = query(event.url, params);
	return format === 'csv' ? csvTemplate(kind as ImportKind) : xlsxTemplate(kind as ImportKind);
});
