import { json } from '@sveltejs/kit';
import { regionInScope } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { regionIndicators } from '$lib/server/indicators/queries';
import { regionGeometry } from '$lib/server/geo/regions';
import { targets } from '$lib/indicators';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = route(async (event) => {
	const region = await regionInScope(event, event.params.code);
	const [indicators, geometry] = await Promise.all([regionIndicators(region), regionGeometry(region.code)]);
	return json({ ...region, indicators, targets: targets(), geometry });
});
