import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { boundedLevel, level, page, query } from '$lib/server/http/params';
import { indicatorsAt } from '$lib/server/indicators/queries';
import { targets } from '$lib/indicators';
import type { RequestHandler } from './$types';

const params = z.object({ region: z.string(), level, ...page });

/** One row per region at `level` below `region`, with every indicator. */
export const GET: RequestHandler = route(async (event) => {
	const { region: code, level, limit, offset } = query(event.url, params);
	const region = await regionInScope(event, code);
	boundedLevel(region, level, limit, { below: false });
	const { items, total } = await indicatorsAt(region, level, { limit, offset });
	return json({ items, total, targets: targets() });
});
