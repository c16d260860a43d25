import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { ApiError, route } from '$lib/server/http/errors';
import { level, page, query } from '$lib/server/http/params';
import { indicatorsAt } from '$lib/server/indicators/queries';
import { LEVELS, levelBelow, targets } from '$lib/indicators';
import type { RequestHandler } from './$types';

// `level` asks for descendants further down, e.g. a province's counties
const params = z.object({ level: level.optional(), ...page });

/** Child regions as GeoJSON: polygons for cities and counties, points below, every indicator. */
export const GET: RequestHandler = route(async (event) => {
	const region = await regionInScope(event, event.params.code);
	const { level: wanted, limit, offset } = query(event.url, params);
	const level = wanted ?? levelBelow(region.level);
	if (level && LEVELS.indexOf(level) <= LEVELS.indexOf(region.level)) {
		throw new ApiError(400, 'invalid_level', 'level 应低于该地区的层级');
	}
	const { items, total } = level
		? await indicatorsAt(region, level, { geometry: true, limit, offset })
		: { items: [], total: 0 };
	return json({
		type: 'FeatureCollection',
		total,
		level,
		targets: targets(),
		features: items.map(({ geometry, indicators, ...region }) => ({
			type: 'Feature',
			id: Number(region.code),
			geometry,
			properties: { code: region.code, name: region.name, level: region.level, key: region.isKey, population: region.population, ...indicators }
		}))
	});
});
