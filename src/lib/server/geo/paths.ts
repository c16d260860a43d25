import type { Level } from '$lib/indicators';
import type { EventPath } from '$lib/types/events';
import type { Region } from './regions';

/**
 * Region paths: the codes of a region's province, city, county, township and village, as far
 * down as it lies. Events are placed on one and stored with it; scope and fan-out read it.
 * Every path is built here.
 */

/** The path of `region`, down to itself. */
export function pathOf(region: Region | EventPath): EventPath {
	if ('province' in region) return region;
	return {
		province: region.provinceCode,
		city: region.cityCode,
		county: region.countyCode,
		township: region.townshipCode,
		village: region.level === 'village' ? region.code : null
	};
}

/** The path of `region` cut at its county (a county's figures, `indicators.changed`). */
export function countyPathOf(region: Region | EventPath): EventPath {
	const path = pathOf(region);
	return { province: path.province, city: path.city, county: path.county, township: null, village: null };
}

/** The column of a stored path (the event log's) that holds its code at `level`. */
export const STORED_PATH_COLUMN: Record<Level, string> = {
	province: 'province_code',
	city: 'city_code',
	county: 'county_code',
	township: 'township_code',
	village: 'village_code'
};

/** The path stored in a row's `province_code` … `village_code` columns (the event log). */
export function pathOfRow(row: Record<string, unknown>): EventPath {
	const code = (column: string) => (row[column] as string | null | undefined) ?? null;
	return { province: row.province_code as string, city: code('city_code'), county: code('county_code'), township: code('township_code'), village: code('village_code') };
}

/** Every region code on the path, province first. */
export const pathCodes = (path: EventPath): string[] =>
	[path.province, path.city, path.county, path.township, path.village].filter((code): code is string => code !== null);
