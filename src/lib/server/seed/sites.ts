import type { SeedContext } from './types';

/**
 * Points for the synthetic places of every county, inside its polygon: township seats first,
 * then villages, each village hanging on its nearest seat so that townships look like
 * catchments. Seats that no village chose are dropped by the township step.
 */
export async function generateSites(ctx: SeedContext): Promise<void> {
	const { tx, scale, salt } = ctx;
	const [tMin, tMax] = scale.townshipsPerCounty;
	const [vMin, vMax] = scale.villagesPerTownship;
	// a denser city, and counties at their real number of townships (none: every county alike)
	const dense = scale.dense ?? { city: '', townshipsPerCounty: [tMin, tMax], villagesPerTownship: [vMin, vMax], counties: {} };
	const exact = JSON.stringify(dense.counties);
	await tx`
		create temp table seed_township_site on commit drop as
		select c.code as county_code, d.path[1] as n, d.geom
		from region c,
			lateral ST_Dump(ST_GeneratePoints(c.geom,
				coalesce((${exact}::text::jsonb -> c.code ->> 'townships')::int,
					case when c.city_code = ${dense.city} then pg_temp.seed_int(${salt('townships')}, c.code, ${dense.townshipsPerCounty[0]}, ${dense.townshipsPerCounty[1]})
						else pg_temp.seed_int(${salt('townships')}, c.code, ${tMin}, ${tMax}) end),
				pg_temp.seed_points(${salt('township-points')}, c.code))) d
		where c.level = 'county'`;
	await tx`create index on seed_township_site (county_code)`;
	await tx`
		create temp table seed_village_site on commit drop as
		select c.county_code, d.path[1] as n, d.geom,
			(select t.n from seed_township_site t
			 where t.county_code = c.county_code
			 order by t.geom <-> d.geom, t.n limit 1) as township_n
		from (select county_code, count(*)::int as townships from seed_township_site group by county_code) c
			join region r on r.code = c.county_code,
			lateral ST_Dump(ST_GeneratePoints(r.geom,
				c.townships * case
					when ${exact}::text::jsonb ? c.county_code then pg_temp.seed_int(${salt('villages')}, c.county_code,
						(${exact}::text::jsonb -> c.county_code -> 'villagesPerTownship' ->> 0)::int, (${exact}::text::jsonb -> c.county_code -> 'villagesPerTownship' ->> 1)::int)
					when r.city_code = ${dense.city} then pg_temp.seed_int(${salt('villages')}, c.county_code, ${dense.villagesPerTownship[0]}, ${dense.villagesPerTownship[1]})
					else pg_temp.seed_int(${salt('villages')}, c.county_code, ${vMin}, ${vMax}) end,
				pg_temp.seed_points(${salt('village-points')}, c.county_code))) d`;
}
