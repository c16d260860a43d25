import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope, requireViewer } from '$lib/server/auth/scope';
import { ApiError, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { problemSummary } from '$lib/server/problems/summary';
import { LEVELS, type Level } from '$lib/indicators';
import type { RequestHandler } from './$types';

const params = z.object({ region: z.string().max(12).optional(), level: z.enum(['city', 'county', 'township', 'village'], 'level 应为 city、county、township 或 village').optional() });
const BELOW: Partial<Record<Level, Level>> = { province: 'city', city: 'county', county: 'township', township: 'village' };

/** 总账/分账: the ledger of a region rolled up by the regions one level (or `level`) below it. */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireViewer(event);
	const { region: code = viewer.scope?.code, level } = query(event.url, params);
	if (!code) throw new ApiError(400, 'invalid_region', '请指定地区（region）');
	const within = await regionInScope(event, code);
	const by = level ?? BELOW[within.level];
	if (!by || LEVELS.indexOf(by) <= LEVELS.indexOf(within.level)) throw new ApiError(400, 'invalid_level', '汇总层级应低于所选地区');
	return json(await problemSummary(within, by));
});
