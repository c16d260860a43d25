export const ssr = false; // the page follows the viewer's language in the browser

import { regionInScope, requireViewer } from '$lib/server/auth/scope';
import { ApiError } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { ledgerFilters, ledgerUrl, listProblems, pageParams } from '$lib/server/problems/ledger';
import { orPageError } from '$lib/server/problems/page';
import { problemSummary } from '$lib/server/problems/summary';
import type { Level } from '$lib/indicators';
import type { PageServerLoad } from './$types';

const BELOW: Partial<Record<Level, Level>> = { province: 'city', city: 'county' };

/** The ledger page: the filters are the URL's, the rows the API's own query; province and city also get the roll-up. */
export const load: PageServerLoad = (event) =>
	orPageError(async () => {
		const viewer = requireViewer(event);
		const filters = query(ledgerUrl(event.url), ledgerFilters);
		const page = query(event.url, pageParams);
		const code = filters.region ?? viewer.scope?.code;
		if (!code) throw new ApiError(400, 'invalid_region', '请指定地区（region）');
		const within = await regionInScope(event, code);
		const by = BELOW[within.level];
		const [list, summary] = await Promise.all([listProblems(within, filters, page), by ? problemSummary(within, by) : null]);
		const scope = viewer.scope;
		return {
			region: { code: within.code, name: within.name, level: within.level, parent: within.code === scope?.code ? null : within.parentCode },
			filters,
			page,
			...list,
			summary
		};
	});
