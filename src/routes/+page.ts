import { error } from '@sveltejs/kit';
import type { FeatureCollection } from 'geojson';
import type { PageLoad } from './$types';

const PROVINCES = ['370000', '620000', '640000', '210000'];

export const ssr = false; // the map is drawn in the browser only

export const load: PageLoad = async ({ fetch, url }) => {
	const province = url.searchParams.get('province') ?? '370000';
	if (!PROVINCES.includes(province)) error(404, { code: 'not_found', message: '没有该省的数据' });
	const [counties, cities] = await Promise.all([
		fetch(`/api/regions/${province}/children?level=county`).then((r) => r.json() as Promise<FeatureCollection>),
		fetch(`/api/regions/${province}/children`).then((r) => r.json() as Promise<FeatureCollection>)
	]);
	return { province, provinces: PROVINCES, counties, cities };
};
