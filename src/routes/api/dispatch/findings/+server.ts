import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireDispatchReader } from '$lib/server/dispatch/access';
import { route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { findingsOf } from '$lib/server/teams/findings';
import type { RequestHandler } from './$types';

const params = z.object({ limit: z.coerce.number().int().min(1).max(200).default(30), offset: z.coerce.number().int().min(0).default(0) });

/** The province's latest findings of its teams, newest first: the console's feed. */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireDispatchReader(event);
	return json(await findingsOf(viewer, query(event.url, params)));
});
