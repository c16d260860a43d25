import type { SeedContext } from './types';

/** Facilities stand a few hundred metres from their region's point (degrees). */
export const SPREAD = 0.006;

/** Shares of ordinary villages with each kind of gap (a key village has none). */
const NO_CLINIC = 0.015;
const BELOW_STANDARD = 0.02;
const NO_DOCTOR = 0.015;

/**
 * A clinic (村卫生室) in every village that is not exempt, except a few; a few clinics below
 * the standard or without a qualified doctor. Key villages have a clinic at the standard with
 * a doctor: their blank spots were all eliminated (seed 000).
 */
export async function seedVillageClinics({ tx, salt }: SeedContext): Promise<void> {
	await tx`
		insert into facility (id, name, kind, region_code, county_code, point, doctors, licensed_doctors, standard_met)
		select v.code || '-clinic', v.name || '卫生室', 'village_clinic', v.code, v.county_code,
			ST_Translate(v.point, (pg_temp.seed_slice(h2, 0) - 0.5) * ${SPREAD / 3}, (pg_temp.seed_slice(h2, 1) - 0.5) * ${SPREAD / 3}),
			case when staffed then 1 + floor(pg_temp.seed_slice(h2, 2) * 2.6)::int else 0 end,
			case when staffed and pg_temp.seed_slice(h2, 3) < 0.15 then 1 else 0 end,
			v.is_key or pg_temp.seed_slice(h, 1) >= ${BELOW_STANDARD}
		from region v,
			lateral (select md5(${salt('clinic')} || ':' || v.code) as h, md5(${salt('clinic-staff')} || ':' || v.code) as h2) r,
			lateral (select v.is_key or pg_temp.seed_slice(h, 2) >= ${NO_DOCTOR} as staffed) s
		where v.level = 'village' and v.exempt is null
			and (v.is_key or pg_temp.seed_slice(h, 0) >= ${NO_CLINIC})
		order by 1`;
}
