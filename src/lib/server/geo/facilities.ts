import { sql as defaultSql, type Db } from '../db';
import { PATH_COLUMN, type Region } from './regions';

export const FACILITY_KINDS = ['county_hospital', 'tcm_hospital', 'township_center', 'village_clinic'] as const;
export type FacilityKind = (typeof FACILITY_KINDS)[number];

/**
 * Facilities inside a region as GeoJSON features, each with whether it meets its standard
 * (SPEC §3): a clinic built to standard with a qualified doctor; a township centre with a
 * licensed physician (five above 10,000 people); a county hospital at the standard.
 */
export async function facilitiesIn(
	region: Region,
	{ kind, limit = 5000, offset = 0 }: { kind?: FacilityKind; limit?: number; offset?: number },
	db: Db = defaultSql
) {
	const rows = await db`
		select f.id, f.name, f.kind, f.region_code, f.county_code, f.doctors, f.licensed_doctors, f.standard_met,
			case f.kind
				when 'village_clinic' then f.standard_met and (f.doctors > 0 or f.licensed_doctors > 0)
				when 'township_center' then f.licensed_doctors >= case when r.population > 10000 then 5 else 1 end
				else f.standard_met
			end as meets_standard,
			st_asgeojson(coalesce(f.point, r.point), 5)::jsonb as geometry,
			count(*) over () as total
		from facility f join region r on r.code = f.region_code
		where r.${db(PATH_COLUMN[region.level])} = ${region.code}
			${kind ? db`and f.kind = ${kind}` : db``}
		order by f.id
		limit ${limit} offset ${offset}
	`;
	return {
		type: 'FeatureCollection' as const,
		total: rows.length ? Number(rows[0].total) : 0,
		features: rows.map((row) => ({
			type: 'Feature' as const,
			geometry: row.geometry,
			properties: {
				id: row.id,
				name: row.name,
				kind: row.kind,
				region: row.region_code,
				county: row.county_code,
				doctors: row.doctors,
				licensedDoctors: row.licensed_doctors,
				standardMet: row.standard_met,
				meetsStandard: row.meets_standard
			}
		}))
	};
}
