import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { wallSettings } from '$lib/server/wall/settings';
import { INDICATOR_KEYS } from '$lib/indicators';
import type { PageServerLoad } from './$types';

export const ssr = false; // the map is drawn in the browser only

// a wall's own URL may tune it: /wall?token=…&stale=30&tour=15&lang=en&indicator=gaps
const overrides = z.object({
	stale: z.coerce.number().positive().max(60 * 24 * 30).optional().catch(undefined),
	tour: z.coerce.number().int().min(0).max(3600).optional().catch(undefined),
	lang: z.enum(['zh-CN', 'en']).optional().catch(undefined),
	indicator: z.enum(INDICATOR_KEYS).optional().catch(undefined)
});

export const load: PageServerLoad = ({ locals, url }) => {
	const viewer = locals.viewer;
	if (!viewer) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	if (!viewer.scope) error(403, { code: 'no_region', message: '该账号没有地区范围，大屏无从显示' });
	const settings = wallSettings();
	const asked = overrides.parse(Object.fromEntries(url.searchParams));
	return {
		scope: viewer.scope,
		staleMinutes: asked.stale ?? settings.WALL_STALE_MINUTES,
		// 0 turns the tour off
		tourSeconds: asked.tour ?? settings.WALL_TOUR_SECONDS,
		lang: asked.lang ?? 'zh-CN',
		indicator: asked.indicator ?? 'clinic_coverage'
	};
};
