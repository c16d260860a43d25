import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { ApiError, route } from '$lib/server/http/errors';
import { level, page, query } from '$lib/server/http/params';
import { rankings } from '$lib/server/indicators/rankings';
import { INDICATOR_KEYS, INDICATORS, LEVELS } from '$lib/indicators';
import type { RequestHandler } from './$types';

const params = z.object({ region: z.string(), level, indicator: z.enum(INDICATOR_KEYS).default('composite'), ...page });

/** The regions at `level` below `region`, best first, with the change since the last snapshot. */
export const GET: RequestHandler = route(async (event) => {
	const { region: code, level, indicator, limit, offset } = query(event.url, params);
	const region = await regionInScope(event, code);
	if (LEVELS.indexOf(level) <= LEVELS.indexOf(region.level)) {
		throw new ApiError(400, 'invalid_level', 'level 应低于该地区的层级');
	}
	// villages are ranked within a county or township: a province's would be tens of thousands
	if (level === 'village' && LEVELS.indexOf(region.level) < LEVELS.indexOf('county')) {
		throw new ApiError(400, 'invalid_level', '村级排名请按县或乡镇查询');
	}
	const ranking = await rankings(region, level, indicator, { limit, offset });
	return json({ ...ranking, indicator, target: INDICATORS[indicator].target });
});
