import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { wallSettings } from '$lib/server/wall/settings';
import { wallSummary } from '$lib/server/wall/summary';
import { shared } from '$lib/server/indicators/cache';
import type { RequestHandler } from './$types';

const params = z.object({ region: z.string() });

/** The wall screen's numbers for one region: indicators with the day's baseline, problems, county freshness, campaign. */
export const GET: RequestHandler = route(async (event) => {
	const region = await regionInScope(event, query(event.url, params).region);
	const start = wallSettings().CAMPAIGN_START;
	// every wall of the region asks for the same numbers: computed once per version of the data
	const summary = await shared(`wall:${region.code}:${start ?? ''}`, () => wallSummary(region, start));
	return json({ ...summary, serverTime: new Date().toISOString() });
});
