import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope, requireRole } from '$lib/server/auth/scope';
import { requireDispatchReader } from '$lib/server/dispatch/access';
import { crossInput, crossInspectionOf, drawCrossInspection } from '$lib/server/dispatch/cross';
import { body } from '$lib/server/http/body';
import { ApiError, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import type { RequestHandler } from './$types';

/** 交叉互查: `{ province, cities? }` → 201 `{ id, items: [{ inspector, target }] }`; each draw replaces the last. */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'dispatcher');
	const input = await body(event.request, crossInput);
	const province = await regionInScope(event, input.province);
	if (province.level !== 'province') throw new ApiError(400, 'invalid_region', '应为省级代码');
	return json(await drawCrossInspection(viewer, province, input.cities), { status: 201 });
});

const params = z.object({ province: z.string().optional() });

/** The province's current round of pairs. */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireDispatchReader(event);
	const province = await regionInScope(event, query(event.url, params).province ?? viewer.scope!.code);
	if (province.level !== 'province') throw new ApiError(400, 'invalid_region', '应为省级代码');
	return json(await crossInspectionOf(province));
});
