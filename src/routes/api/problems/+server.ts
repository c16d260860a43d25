import { json } from '@sveltejs/kit';
import { regionInScope, requireRole, requireViewer } from '$lib/server/auth/scope';
import { body } from '$lib/server/http/body';
import { ApiError, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { ledgerFilters, ledgerUrl, listProblems, pageParams } from '$lib/server/problems/ledger';
import { csvExport, xlsxExport } from '$lib/server/problems/export';
import { createProblem, newProblem } from '$lib/server/problems/moves';
import { z } from 'zod';
import type { RequestHandler } from './$types';

const format = z.object({ format: z.enum(['json', 'csv', 'xlsx'], 'format 应为 json、csv 或 xlsx').default('json') });

/** The ledger (SPEC §5): the page as JSON, or every row of the same filter as CSV or xlsx. */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireViewer(event);
	const filters = query(ledgerUrl(event.url), ledgerFilters);
	const code = filters.region ?? viewer.scope?.code;
	if (!code) throw new ApiError(400, 'invalid_region', '请指定地区（region）');
	const within = await regionInScope(event, code);
	const { format: as } = query(event.url, format);
	const name = `问题台账-${within.name}`;
	if (as === 'csv') return csvExport(within, filters, name);
	if (as === 'xlsx') return xlsxExport(within, filters, name);
	return json(await listProblems(within, filters, query(event.url, pageParams)));
});

/** A new ledger item; its region must lie in the poster's scope. */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'county_officer', 'dispatcher', 'leader');
	const input = await body(event.request, newProblem);
	// the place goes through the one scope check before anything is written
	await regionInScope(event, input.region);
	const id = await createProblem(viewer, input);
	return json({ id }, { status: 201 });
});
