import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const ssr = false; // the map and the phone's outbox live in the browser

/** The inspector's phone page: its own team only; everyone else is refused before anything is read. */
export const load: PageServerLoad = ({ locals, url }) => {
	const viewer = locals.viewer;
	if (!viewer) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
	if (viewer.kind !== 'user' || viewer.role !== 'inspector') error(403, { code: 'forbidden', message: '仅检查组成员可用' });
	return { team: viewer.team };
};
