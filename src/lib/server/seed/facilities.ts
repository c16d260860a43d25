import { seedVillageClinics, SPREAD } from './clinics';
import { STANDARD_HOSPITAL_SHARE } from './scales';
import type { SeedContext } from './types';

export async function seedFacilities(ctx: SeedContext): Promise<void> {
	await seedCountyHospitals(ctx);
	await seedTownshipCentres(ctx);
	await seedVillageClinics(ctx);
}

/**
 * One county hospital and one hospital of traditional Chinese medicine per county; 75.95% of
 * the county hospitals of each province are at the standard (seed 000: 104 of Shandong's 137),
 * a hospital short of it has departments without a licensed physician.
 */
async function seedCountyHospitals({ tx, salt }: SeedContext): Promise<void> {
	await tx`
		insert into facility (id, name, kind, region_code, county_code, point, licensed_doctors, standard_met,
			departments, departments_staffed)
		select c.code || '-' || k.suffix, c.name || k.label, k.kind, c.code, c.code,
			ST_Translate(c.point, (pg_temp.seed_slice(h, 0) - 0.5) * ${SPREAD}, (pg_temp.seed_slice(h, 1) - 0.5) * ${SPREAD}),
			k.doctors + floor(pg_temp.seed_slice(h, 2) * k.doctors * 3)::int,
			ok, departments, departments - case when ok then 0 else 1 + floor(pg_temp.seed_slice(h2, 0) * 3)::int end
		from (
			select c.*, row_number() over (partition by c.province_code
					order by pg_temp.seed_u(${salt('hospital-standard')}, c.code), c.code)
				<= round(count(*) over (partition by c.province_code) * ${STANDARD_HOSPITAL_SHARE}::float8) as standard
			from region c where c.level = 'county'
		) c
		cross join (values
			('hospital', '人民医院', 'county_hospital', 60, 22),
			('tcm', '中医医院', 'tcm_hospital', 20, 12)
		) as k(suffix, label, kind, doctors, min_departments),
		lateral (select md5(${salt('hospital')} || ':' || c.code || k.suffix) as h,
			md5(${salt('hospital-staff')} || ':' || c.code || k.suffix) as h2) r,
		lateral (select case when k.kind = 'county_hospital' then c.standard
				else pg_temp.seed_slice(h2, 1) < 0.85 end as ok,
			k.min_departments + floor(pg_temp.seed_slice(h, 2) * 10)::int as departments) s
		order by 1`;
}

/**
 * One centre per township. Most have the licensed physicians the rule asks (≥1, ≥5 where more
 * than 10,000 people live); about 3% fall short and 1.5% have none at all.
 */
async function seedTownshipCentres({ tx, salt }: SeedContext): Promise<void> {
	await tx`
		insert into facility (id, name, kind, region_code, county_code, point, doctors, licensed_doctors, standard_met)
		select t.code || '-center', t.name || '卫生院', 'township_center', t.code, t.county_code,
			ST_Translate(t.point, (pg_temp.seed_slice(h, 0) - 0.5) * ${SPREAD}, (pg_temp.seed_slice(h, 1) - 0.5) * ${SPREAD}),
			floor(pg_temp.seed_slice(h2, 0) * 5)::int,
			case when s < 0.015 then 0
				when s < 0.045 and need > 1 then 1 + floor((s - 0.015) / 0.03 * (need - 1))::int
				else need + floor(pg_temp.seed_slice(h, 3) * 8)::int end,
			pg_temp.seed_slice(h2, 1) < 0.95
		from region t,
			lateral (select md5(${salt('centre')} || ':' || t.code) as h, md5(${salt('centre-staff')} || ':' || t.code) as h2,
				case when t.population > 10000 then 5 else 1 end as need) r,
			lateral (select pg_temp.seed_slice(h, 2) as s) x
		where t.level = 'township'
		order by 1`;
}
