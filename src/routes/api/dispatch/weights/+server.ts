import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope, requireRole } from '$lib/server/auth/scope';
import { requireDispatchReader } from '$lib/server/dispatch/access';
import { setWeights, weightsInput, weightsOf } from '$lib/server/dispatch/weights';
import { body } from '$lib/server/http/body';
import { ApiError, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import type { RequestHandler } from './$types';

const params = z.object({ province: z.string().optional() });

async function provinceOf(event: Parameters<RequestHandler>[0], code: string | undefined, fallback: string) {
	const region = await regionInScope(event, code ?? fallback);
	if (region.level !== 'province') throw new ApiError(400, 'invalid_region', '应为省级代码');
	return region;
}

/** The weights of the province's dispatch priority and its quiet period. */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireDispatchReader(event);
	const province = await provinceOf(event, query(event.url, params).province, viewer.scope!.code);
	return json(await weightsOf(province.code));
});

/** An admin sets them (every weight, the quiet period or null). */
export const PUT: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const province = await provinceOf(event, query(event.url, params).province, admin.scope!.code);
	return json(await setWeights(admin, province.code, await body(event.request, weightsInput)));
});
