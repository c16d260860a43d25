import { regionInScope, requireViewer } from '$lib/server/auth/scope';
import { countyOffice } from '$lib/server/problems/county';
import { orPageError } from '$lib/server/problems/page';
import type { PageServerLoad } from './$types';

export const ssr = false; // the map is drawn in the browser, the page follows the viewer's language

/** A county office's screen: its figures, its problems to act on, its latest events; the map loads in the browser. */
export const load: PageServerLoad = (event) =>
	orPageError(async () => {
		const viewer = requireViewer(event);
		const county = await regionInScope(event, event.params.code);
		return { office: await countyOffice(viewer, county), viewerRole: viewer.kind === 'user' ? viewer.role : 'kiosk' };
	});
