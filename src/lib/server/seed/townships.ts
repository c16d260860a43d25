import { TOWNSHIP_FIRST, TOWNSHIP_SECOND, TOWNSHIP_STRIDES } from './names';
import type { SeedContext } from './types';

/**
 * Townships (乡镇): a seat that villages chose becomes a 镇 (codes 101…) or a 乡 (201…),
 * numbered north to south; names from a per-county permutation of syllable pairs;
 * resident population 8,000–40,000, most above the 10,000 that asks for five physicians.
 */
export async function seedTownships(ctx: SeedContext): Promise<void> {
	const { tx, salt } = ctx;
	const seconds = TOWNSHIP_SECOND.length;
	const names = TOWNSHIP_FIRST.length * seconds;
	await tx`
		create temp table seed_township on commit drop as
		select t.*,
			t.county_code || (case when t.is_town then 100 else 200 end
				+ row_number() over (partition by t.county_code, t.is_town order by t.k))::text as code
		from (
			select s.county_code, s.n, s.geom,
				row_number() over (partition by s.county_code order by ST_Y(s.geom) desc, ST_X(s.geom), s.n) - 1 as k,
				pg_temp.seed_u(${salt('town')}, s.county_code || ':' || s.n) < 0.62 as is_town
			from seed_township_site s
			where exists (select 1 from seed_village_site v where v.county_code = s.county_code and v.township_n = s.n)
		) t`;
	await tx`create index on seed_township (county_code, n)`;
	await tx`
		insert into region (code, name, level, parent_code, province_code, city_code, county_code, township_code,
			point, population, synthetic)
		select t.code, (${TOWNSHIP_FIRST}::text[])[1 + p.i / ${seconds}] || (${TOWNSHIP_SECOND}::text[])[1 + p.i % ${seconds}]
				|| case when t.is_town then '镇' else '乡' end,
			'township', c.code, c.province_code, c.city_code, c.code, t.code, t.geom,
			8000 + floor(32000 * power(pg_temp.seed_u(${salt('township-population')}, t.code), 1.6))::int, true
		from seed_township t
			join region c on c.code = t.county_code,
			lateral (select ((${TOWNSHIP_STRIDES}::int[])[1 + floor(${TOWNSHIP_STRIDES.length} * pg_temp.seed_u(${salt('township-stride')}, c.code))::int] * t.k
				+ pg_temp.seed_int(${salt('township-offset')}, c.code, 0, ${names - 1})) % ${names} as i) p
		order by t.code`;
}
