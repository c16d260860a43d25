import { error, redirect } from '@sveltejs/kit';
import type { FeatureCollection } from 'geojson';
import { landingPath } from '$lib/nav';
import type { PageLoad } from './$types';

export const ssr = false; // the map is drawn in the browser only

async function collection(fetch: typeof globalThis.fetch, path: string): Promise<FeatureCollection> {
	const res = await fetch(path);
	if (!res.ok) error(res.status, { code: 'load_failed', message: (await res.json()).error?.message ?? '加载失败' });
	return res.json();
}

/** The scope region's own outline, for a city or county drawn on its own. */
async function outline(fetch: typeof globalThis.fetch, code: string): Promise<FeatureCollection> {
	const res = await fetch(`/api/regions/${code}`);
	if (!res.ok) error(res.status, { code: 'load_failed', message: '加载失败' });
	const region = await res.json();
	return { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: region.geometry, properties: { code } }] };
}

export const load: PageLoad = async ({ fetch, parent }) => {
	const { viewer } = await parent();
	if (!viewer) redirect(303, '/login');
	// a county office works on its county's own page, an inspector on its assignment
	if (viewer.role === 'county_officer' || viewer.role === 'inspector') redirect(303, landingPath(viewer));
	if (!viewer.scope) error(403, { code: 'no_region', message: '该账号没有地区范围' });
	const { code, level } = viewer.scope;
	// a province or city is drawn as its counties inside city outlines; a county as its townships
	const detail = level === 'province' || level === 'city' ? 'county' : 'township';
	// not awaited: the page and its map start while the regions are on their way
	const shapes = Promise.all([
		collection(fetch, `/api/regions/${code}/children?level=${detail}`),
		level === 'province' ? collection(fetch, `/api/regions/${code}/children`) : outline(fetch, code)
	]).then(([regions, outlines]) => ({ regions, outlines }));
	shapes.catch(() => {}); // the page shows the failure
	return { scope: viewer.scope, shapes };
};
