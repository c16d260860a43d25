import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope, requireViewer } from '$lib/server/auth/scope';
import { talksIn } from '$lib/server/dispatch/talks';
import { route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import type { RequestHandler } from './$types';

const params = z.object({
	region: z.string().optional(),
	limit: z.coerce.number().int().min(1).max(500).default(50),
	offset: z.coerce.number().int().min(0).default(0),
	problem: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional()
});

/** 约谈 held with the leaders of a region in scope and of the regions inside it. Record one with `POST /api/events` (`talk.recorded`). */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireViewer(event);
	const { region: code, limit, offset, problem } = query(event.url, params);
	if (!code && !viewer.scope) return json({ items: [], total: 0 });
	const region = await regionInScope(event, code ?? viewer.scope!.code);
	return json(await talksIn(region, { limit, offset, problem }));
});
