import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { regionFeatures } from '$lib/server/geo/features';
import { route } from '$lib/server/http/errors';
import { boundedLevel, level, page, query } from '$lib/server/http/params';
import { indicatorsAt } from '$lib/server/indicators/queries';
import { levelBelow, targets } from '$lib/indicators';
import type { RequestHandler } from './$types';

// `level` asks for descendants further down, e.g. a province's counties
const params = z.object({ level: level.optional(), ...page });

/** Child regions as GeoJSON: polygons for cities and counties, points below, every indicator. */
export const GET: RequestHandler = route(async (event) => {
	const region = await regionInScope(event, event.params.code);
	const { level: wanted, limit, offset } = query(event.url, params);
	const level = wanted ?? levelBelow(region.level);
	if (level) boundedLevel(region, level, limit);
	const { items, total } = level ? await indicatorsAt(region, level, { geometry: true, limit, offset }) : { items: [], total: 0 };
	return new Response(regionFeatures(items, { total, level, targets: targets() }), { headers: { 'content-type': 'application/json' } });
});
