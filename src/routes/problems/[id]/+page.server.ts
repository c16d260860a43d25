import { problemInScope } from '$lib/server/problems/access';
import { problemDetail } from '$lib/server/problems/detail';
import { orPageError } from '$lib/server/problems/page';
import type { PageServerLoad } from './$types';

export const ssr = false; // the small map is drawn in the browser, the page follows the viewer's language

/** One item as the API gives it: the same scope check, the same 404 for one out of scope. */
export const load: PageServerLoad = (event) => orPageError(async () => ({ problem: await problemDetail(await problemInScope(event, event.params.id)) }));
