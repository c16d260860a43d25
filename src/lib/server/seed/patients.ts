import { CHRONIC_DISEASES, OTHER_DISEASES, SERIOUS_DISEASES, weighted } from './diseases';
import type { SeedContext } from './types';

/** Serious-illness patients treated, and registered poor insured (SPEC §3 targets ≥99%, 100%). */
const TREATED = 0.985;
const INSURED = 0.996;

export async function seedPatients(ctx: SeedContext): Promise<void> {
	await allocatePatients(ctx);
	await categorisePatients(ctx);
	await insertPatients(ctx);
}

/**
 * Patients per village, proportional to population (with some spread), summing exactly to
 * the province's total: the largest remainders get the odd patient.
 */
async function allocatePatients({ tx, scale, salt }: SeedContext): Promise<void> {
	const exact = scale.exact ?? null;
	await tx`
		create temp table seed_patient_count on commit drop as
		select code, county_code, province_code,
			floor(x)::int + (row_number() over (partition by province_code order by x - floor(x) desc, code)
				<= target - sum(floor(x)) over (partition by province_code))::int as n
		from (
			select w.*, w.weight * t.target / t.total as x, t.target
			from (
				select code, county_code, province_code,
					population * (0.6 + 0.8 * pg_temp.seed_u(${salt('patients')}, code)) as weight
				from region where level = 'village'
			) w
			join (
				select province_code, sum(population * (0.6 + 0.8 * pg_temp.seed_u(${salt('patients')}, code))) as total,
					case when province_code = ${exact?.province ?? null}::text then ${exact?.patients ?? null}::int
						else round(count(*) * ${scale.patientsPerVillage}::float8)::int end as target
				from region where level = 'village' group by province_code
			) t using (province_code)
		) a`;
}

/** Pseudonymous ids (P + 10 digits) and categories in exact shares per province. */
async function categorisePatients({ tx, scale, salt }: SeedContext): Promise<void> {
	const exact = scale.exact ?? null;
	await tx`
		create temp table seed_patient on commit drop as
		select p.id, p.village_code, p.county_code, p.h, md5(${salt('patient-2')} || ':' || p.id) as h2,
			case when rank <= chronic then 'chronic' when rank <= chronic + serious then 'serious_illness' else 'other' end as category
		from (
			select p.*, row_number() over (partition by province_code order by md5(${salt('category')} || ':' || id), id) as rank,
				case when province_code = ${exact?.province ?? null}::text then ${exact?.chronic ?? null}::int
					else round(count(*) over (partition by province_code) * ${scale.chronicShare}::float8)::int end as chronic,
				round(count(*) over (partition by province_code) * ${scale.seriousShare}::float8)::int as serious
			from (
				select p.*, md5(${salt('patient')} || ':' || p.id) as h
				from (
					select 'P' || left(c.province_code, 2)
							|| lpad(row_number() over (partition by c.province_code order by c.code, i)::text, 8, '0') as id,
						c.code as village_code, c.county_code, c.province_code
					from seed_patient_count c, generate_series(1, c.n) i
				) p
			) p
		) p`;
}

/**
 * Diseases and dates, all on or before asOf: serious illnesses identified and mostly treated;
 * chronic patients mostly signed and followed up within the last 90 days, some earlier.
 */
async function insertPatients({ tx, scale, salt, options }: SeedContext): Promise<void> {
	const serious = weighted(SERIOUS_DISEASES);
	const chronic = weighted(CHRONIC_DISEASES);
	const other = weighted(OTHER_DISEASES);
	const asOf = options.asOf;
	await tx`
		insert into patient (id, village_code, county_code, category, disease, identified_on, treated_on,
			signed_on, followed_up_on, insured, enrolled_on)
		select id, village_code, county_code, category,
			case category
				when 'serious_illness' then (${serious}::text[])[1 + floor(pg_temp.seed_slice(h2, 0) * ${serious.length})::int]
				when 'chronic' then (${chronic}::text[])[1 + floor(pg_temp.seed_slice(h2, 0) * ${chronic.length})::int]
				else (${other}::text[])[1 + floor(pg_temp.seed_slice(h2, 0) * ${other.length})::int] end,
			identified,
			case when category = 'serious_illness' and pg_temp.seed_slice(h, 1) < ${TREATED}
				then least(identified + 2 + floor(pg_temp.seed_slice(h, 2) * 60)::int, ${asOf}::date) end,
			case when signed then least(identified + floor(pg_temp.seed_slice(h, 2) * 60)::int, followed) end,
			case when signed then followed end,
			insured,
			case when insured then ${asOf}::date - (30 + floor(pg_temp.seed_slice(h2, 3) * 300)::int) end
		from seed_patient,
			lateral (select ${asOf}::date - (20 + floor(pg_temp.seed_slice(h, 0) * 900)::int) as identified,
				category = 'chronic' and pg_temp.seed_slice(h, 3) < ${scale.chronicSigned} as signed,
				pg_temp.seed_slice(h2, 1) < ${INSURED} as insured,
				${asOf}::date - case when pg_temp.seed_slice(h2, 2) < ${scale.followedUpRecently}
					then floor(pg_temp.seed_slice(h2, 3) * 90)::int
					else 90 + floor(pg_temp.seed_slice(h2, 3) * 150)::int end as followed) d
		order by id`;
}
