import { error, redirect } from '@sveltejs/kit';
import { readerOf } from '$lib/server/events/log';
import type { PageServerLoad } from './$types';

export const ssr = false; // the map and the live console are drawn in the browser

/** The dispatch console: for those who read sealed events (the province's dispatchers, admins, leaders) only. */
export const load: PageServerLoad = ({ locals, url }) => {
	const viewer = locals.viewer;
	if (!viewer) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	if (viewer.kind !== 'user' || !readerOf(viewer).sealed || !viewer.scope) error(403, { code: 'forbidden', message: '当前账号无权使用调度功能' });
	return { scope: viewer.scope, role: viewer.role };
};
