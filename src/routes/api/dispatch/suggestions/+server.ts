import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { requireDispatchReader } from '$lib/server/dispatch/access';
import { suggestionsFor } from '$lib/server/dispatch/suggestions';
import { ApiError, route } from '$lib/server/http/errors';
import { page, query } from '$lib/server/http/params';
import type { RequestHandler } from './$types';

const params = z.object({ region: z.string().optional(), ...page });

/** Counties ranked for the next flight inspection, with reasons and the nearest free team (SPEC §5). */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireDispatchReader(event);
	const { region: code, limit, offset } = query(event.url, params);
	const region = await regionInScope(event, code ?? viewer.scope!.code);
	if (region.level === 'township' || region.level === 'village') throw new ApiError(400, 'invalid_region', '应为省、市或县');
	return json(await suggestionsFor(region, { limit, offset }));
});
