import type { PendingQuery, Row } from 'postgres';
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toRegion(row: any): Region {
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

const columns = (db: Db) => db`code, name, level, parent_code, province_code, city_code, county_code, township_code, population, is_key, synthetic`;

/** The region whose code is `code`, or the one a query gives (`regionOf`); null when none. */
async function readRegion(db: Db, code: string | PendingQuery<Row[]>): Promise<Region | null> {
	const [row] = await db`
		select ${columns(db)}
		from region where code = ${typeof code === 'string' ? code : db`(${code})`}
	`;
	return row ? toRegion(row) : null;
}

export const findRegion = (code: string, db: Db = defaultSql): Promise<Region | null> => readRegion(db, code);

/** The regions whose codes are `codes` (those that exist), in code order. */
export async function findRegions(codes: string[], db: Db = defaultSql): Promise<Region[]> {
	if (!codes.length) return [];
	const rows = await db`
		select ${columns(db)}
		from region where code = any(${codes}::text[]) order by code`;
	return rows.map(toRegion);
}

/**
 * The region named by a one-value query, such as the region of a record the caller has just
 * asked for: sent at once, both go out in one write and run in order.
 */
export const regionOf = (db: Db, code: PendingQuery<Row[]>): Promise<Region | null> => readRegion(db, code);

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
