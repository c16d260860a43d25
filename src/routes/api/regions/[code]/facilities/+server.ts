import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { FACILITY_KINDS, facilitiesIn } from '$lib/server/geo/facilities';
import { route } from '$lib/server/http/errors';
import { page, query } from '$lib/server/http/params';
import type { RequestHandler } from './$types';

const params = z.object({ kind: z.enum(FACILITY_KINDS).optional(), ...page });

export const GET: RequestHandler = route(async (event) => {
	const region = await regionInScope(event, event.params.code);
	const { kind, limit, offset } = query(event.url, params);
	return json(await facilitiesIn(region, { kind, limit, offset }));
});
