import { json } from '@sveltejs/kit';
import { regionInScope } from '$lib/server/auth/scope';
import { requireDispatchReader } from '$lib/server/dispatch/access';
import { countyBrief } from '$lib/server/dispatch/county';
import { ApiError, route } from '$lib/server/http/errors';
import type { RequestHandler } from './$types';

/** One county for the console: places to visit, open problems, talks, recent inspections. */
export const GET: RequestHandler = route(async (event) => {
	requireDispatchReader(event);
	const county = await regionInScope(event, event.params.code);
	if (county.level !== 'county') throw new ApiError(400, 'invalid_region', '应为县级代码');
	return json(await countyBrief(county));
});
