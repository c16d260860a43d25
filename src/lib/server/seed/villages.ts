import { VILLAGE_FIRST, VILLAGE_SECOND, VILLAGE_STRIDES } from './names';
import type { SeedContext } from './types';

/** Share of villages merged with a neighbour (联合设置村卫生室), exempt from a clinic of their own. */
const MERGED_SHARE = 0.012;

/**
 * Villages (行政村): numbered 201… within their township from the seat outwards; the one
 * nearest the seat is the township seat (exempt from a clinic), a few are merged with a
 * neighbour; names unique within the county; 300–3,000 people.
 */
export async function seedVillages(ctx: SeedContext): Promise<void> {
	const { tx, salt } = ctx;
	const seconds = VILLAGE_SECOND.length;
	const names = VILLAGE_FIRST.length * seconds;
	await tx`
		create temp table seed_village on commit drop as
		select v.*, row_number() over (partition by v.county_code order by v.code) - 1 as k
		from (
			select s.county_code, s.geom, t.code as township_code,
				t.code || (200 + row_number() over (partition by t.code order by s.geom <-> t.geom, s.n))::text as code
			from seed_village_site s join seed_township t on t.county_code = s.county_code and t.n = s.township_n
		) v`;
	await tx`
		insert into region (code, name, level, parent_code, province_code, city_code, county_code, township_code,
			point, population, exempt, synthetic)
		select v.code, (${VILLAGE_FIRST}::text[])[1 + p.i / ${seconds}] || (${VILLAGE_SECOND}::text[])[1 + p.i % ${seconds}] || '村',
			'village', v.township_code, c.province_code, c.city_code, c.code, v.township_code, v.geom,
			300 + floor(2700 * power(pg_temp.seed_u(${salt('village-population')}, v.code), 1.4))::int,
			case when right(v.code, 3) = '201' then 'township_seat'
				when pg_temp.seed_u(${salt('merged')}, v.code) < ${MERGED_SHARE} then 'merged' end,
			true
		from seed_village v
			join region c on c.code = v.county_code,
			lateral (select ((${VILLAGE_STRIDES}::int[])[1 + floor(${VILLAGE_STRIDES.length} * pg_temp.seed_u(${salt('village-stride')}, c.code))::int] * v.k
				+ pg_temp.seed_int(${salt('village-offset')}, c.code, 0, ${names - 1})) % ${names} as i) p
		order by v.code`;
}

/** Region populations above township level: the sum of their townships. */
export async function rollUpPopulation({ tx }: SeedContext): Promise<void> {
	for (const [level, column] of [['county', 'county_code'], ['city', 'city_code'], ['province', 'province_code']] as const) {
		await tx`
			update region r set population = s.population
			from (select ${tx(column)} as code, sum(population)::int as population
				from region where level = 'township' group by 1) s
			where r.code = s.code and r.level = ${level}`;
	}
}
