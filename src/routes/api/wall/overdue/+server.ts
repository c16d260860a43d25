import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { overdueProblems } from '$lib/server/wall/summary';
import type { RequestHandler } from './$types';

const params = z.object({ region: z.string() });

/** Overdue problems inside the region, each with the point of the place it belongs to. */
export const GET: RequestHandler = route(async (event) => {
	const region = await regionInScope(event, query(event.url, params).region);
	return json(await overdueProblems(region));
});
