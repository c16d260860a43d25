import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROVINCE_NAMES } from './scales';
import type { SeedContext } from './types';

interface CountyProperties {
	code: string;
	name: string;
	city_code: string;
	city_name: string;
	province_code: string;
}

interface CountyFeature {
	properties: CountyProperties;
	geometry: unknown;
}

/**
 * The real counties of a province from db/boundaries. A city without counties (嘉峪关市)
 * comes as one feature whose code is the city's; its county row takes the statistical code of
 * the city's own district (620201), since a code names one region only.
 */
export function readCounties(dir: string, province: string): CountyFeature[] {
	const file = join(dir, `${province}.geojson`);
	const collection = JSON.parse(readFileSync(file, 'utf8')) as { features: CountyFeature[] };
	return collection.features.map((feature) => {
		const p = feature.properties;
		const code = p.code === p.city_code ? `${p.city_code.slice(0, 4)}01` : p.code;
		return { properties: { ...p, code }, geometry: feature.geometry };
	});
}

/** Province, city and county rows; cities and provinces are the unions of their counties. */
export async function seedRealRegions(ctx: SeedContext): Promise<void> {
	const { tx, options } = ctx;
	const dir = options.boundariesDir ?? resolve(process.cwd(), 'db/boundaries');
	await tx`
		create temp table seed_county (
			code text primary key, name text, city_code text, city_name text, province_code text,
			geom geometry(MultiPolygon, 4326)
		) on commit drop`;
	for (const province of ctx.scale.provinces) {
		const features = readCounties(dir, province).map((f) => ({ ...f.properties, geometry: f.geometry }));
		await tx`
			insert into seed_county (code, name, city_code, city_name, province_code, geom)
			select f->>'code', f->>'name', f->>'city_code', f->>'city_name', ${province},
				ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326)), 3))
			from jsonb_array_elements(${JSON.stringify(features)}::text::jsonb) f`;
	}
	await unionCities(ctx);
	await insertProvinces(ctx);
	await insertCities(ctx);
	await insertCounties(ctx);
}

async function unionCities({ tx }: SeedContext): Promise<void> {
	await tx`
		create temp table seed_city on commit drop as
		select city_code as code, min(city_name) as name, province_code, ST_Multi(ST_Union(geom)) as geom
		from seed_county
		group by province_code, city_code`;
}

/** A province is the union of its cities: cheaper than that of a hundred counties. */
async function insertProvinces({ tx, scale }: SeedContext): Promise<void> {
	const names = scale.provinces.map((code) => ({ code, name: PROVINCE_NAMES[code] }));
	await tx`
		insert into region (code, name, level, province_code, geom, point)
		select p.code, p.name, 'province', p.code, u.geom, ST_PointOnSurface(u.geom)
		from jsonb_to_recordset(${JSON.stringify(names)}::text::jsonb) as p(code text, name text),
			lateral (select ST_Multi(ST_Union(geom)) as geom from seed_city where province_code = p.code) u
		order by p.code`;
}

async function insertCities({ tx }: SeedContext): Promise<void> {
	await tx`
		insert into region (code, name, level, parent_code, province_code, city_code, geom, point)
		select code, name, 'city', province_code, province_code, code, geom, ST_PointOnSurface(geom)
		from seed_city
		order by code`;
}

async function insertCounties({ tx }: SeedContext): Promise<void> {
	await tx`
		insert into region (code, name, level, parent_code, province_code, city_code, county_code, geom, point)
		select code, name, 'county', city_code, province_code, city_code, code, geom, ST_PointOnSurface(geom)
		from seed_county
		order by code`;
}
