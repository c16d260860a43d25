import { sql as defaultSql, type Db } from '../db';
import type { Level } from '$lib/indicators';

export interface Region {
	code: string;
	name: string;
	level: Level;
	parentCode: string | null;
	provinceCode: string;
	cityCode: string | null;
	countyCode: string | null;
	townshipCode: string | null;
	population: number;
	isKey: boolean;
	synthetic: boolean;
}

export async function findRegion(code: string, db: Db = defaultSql): Promise<Region | null> {
	const [row] = await db`
		select code, name, level, parent_code, province_code, city_code, county_code, township_code,
			population, is_key, synthetic
		from region where code = ${code}
	`;
	if (!row) return null;
	return {
		code: row.code,
		name: row.name,
		level: row.level,
		parentCode: row.parent_code,
		provinceCode: row.province_code,
		cityCode: row.city_code,
		countyCode: row.county_code,
		townshipCode: row.township_code,
		population: row.population,
		isKey: row.is_key,
		synthetic: row.synthetic
	};
}

/** The column of `region` that holds a row's ancestor (or itself) at `level`. */
export const PATH_COLUMN: Record<Level, string> = {
	province: 'province_code',
	city: 'city_code',
	county: 'county_code',
	township: 'township_code',
	village: 'code'
};

/** The region's outline (province, city, county) or point (township, village) as GeoJSON. */
export async function regionGeometry(code: string, db: Db = defaultSql): Promise<unknown> {
	const [row] = await db`select st_asgeojson(coalesce(geom, point), 5)::jsonb as geometry from region where code = ${code}`;
	return row?.geometry ?? null;
}
