import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { wallSettings } from '$lib/server/wall/settings';
import { wallSummary } from '$lib/server/wall/summary';
import type { RequestHandler } from './$types';

const params = z.object({ region: z.string() });

/** The wall screen's numbers for one region: indicators with the day's baseline, problems, county freshness, campaign. */
export const GET: RequestHandler = route(async (event) => {
	const region = await regionInScope(event, query(event.url, params).region);
	return json(await wallSummary(region, wallSettings().CAMPAIGN_START));
});
