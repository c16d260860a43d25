import type { Db } from '../db';
import { grantable } from '../auth/scope';
import type { Viewer } from '../auth/viewer';
import type { Region } from '../geo/regions';

/**
 * The regions inside an importer's scope that a file's codes may hang under (an import grants
 * its rows to the readers of their regions, so each must be `grantable`): every province, city
 * and county that is, and for codes under a county that does not exist, whether
 * the county the code implies (its first six digits, GB/T 2260) would lie inside. A code is in
 * scope when its region's county (or the region itself, above county level) is in the list.
 */
export interface Coverage {
	codes: string[];
}

/** The province, city and county a six-digit code implies, as a region that does not exist. */
function impliedCounty(code: string): Region {
	return {
		code,
		name: code,
		level: 'county',
		parentCode: `${code.slice(0, 4)}00`,
		provinceCode: `${code.slice(0, 2)}0000`,
		cityCode: `${code.slice(0, 4)}00`,
		countyCode: code,
		townshipCode: null,
		population: 0,
		isKey: false,
		synthetic: false
	};
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const toRegion = (row: any): Region => ({
	code: row.code,
	name: row.name,
	level: row.level,
	parentCode: row.parent_code,
	provinceCode: row.province_code,
	cityCode: row.city_code,
	countyCode: row.county_code,
	townshipCode: row.township_code,
	population: 0,
	isKey: false,
	synthetic: false
});

/** The most counties a file may name that do not exist; past that a file is refused as a whole. */
const MAX_UNKNOWN_COUNTIES = 10_000;

/**
 * What `viewer` may grant among the regions a stage table's `column` names: `grantable` is asked of
 * every province, city and county there is (a few hundred), and of each county a code implies
 * that does not exist.
 */
export async function coverage(db: Db, viewer: Viewer, implied: string[]): Promise<Coverage> {
	const regions = await db`
		select code, name, level, parent_code, province_code, city_code, county_code, township_code
		from region where level in ('province', 'city', 'county')`;
	const codes: string[] = [];
	for (const row of regions) if (grantable(viewer, toRegion(row))) codes.push(row.code);
	const existing = new Set(regions.map((row) => row.code as string));
	for (const code of implied.slice(0, MAX_UNKNOWN_COUNTIES)) {
		if (!existing.has(code) && grantable(viewer, impliedCounty(code))) codes.push(code);
	}
	return { codes };
}
