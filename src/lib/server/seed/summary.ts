import type { Tx } from './types';

export interface SeedCounts {
	provinces: number;
	cities: number;
	counties: number;
	keyCounties: number;
	townships: number;
	villages: number;
	keyVillages: number;
	exemptVillages: number;
	facilities: number;
	clinics: number;
	gaps: number;
	patients: number;
	seriousPatients: number;
	chronicPatients: number;
	problems: number;
	overdueProblems: number;
	teams: number;
}

/** What the seed made, counted from the tables (gaps from the indicator counters). */
export async function countSeeded(tx: Tx): Promise<SeedCounts> {
	const [row] = await tx`
		select
			(select count(*) from region where level = 'province')::int as provinces,
			(select count(*) from region where level = 'city')::int as cities,
			(select count(*) from region where level = 'county')::int as counties,
			(select count(*) from region where level = 'county' and is_key)::int as key_counties,
			(select count(*) from region where level = 'township')::int as townships,
			(select count(*) from region where level = 'village')::int as villages,
			(select count(*) from region where level = 'village' and is_key)::int as key_villages,
			(select count(*) from region where level = 'village' and exempt is not null)::int as exempt_villages,
			(select count(*) from facility)::int as facilities,
			(select count(*) from facility where kind = 'village_clinic')::int as clinics,
			(select sum((counts).villages_gap + (counts).centres_gap + (counts).counties - (counts).counties_ok)
				from indicator_counter)::int as gaps,
			(select count(*) from patient)::int as patients,
			(select count(*) from patient where category = 'serious_illness')::int as serious_patients,
			(select count(*) from patient where category = 'chronic')::int as chronic_patients,
			(select count(*) from problem)::int as problems,
			(select count(*) from problem where is_overdue)::int as overdue_problems,
			(select count(*) from team)::int as teams`;
	return {
		provinces: row.provinces, cities: row.cities, counties: row.counties, keyCounties: row.key_counties,
		townships: row.townships, villages: row.villages, keyVillages: row.key_villages,
		exemptVillages: row.exempt_villages, facilities: row.facilities, clinics: row.clinics, gaps: row.gaps ?? 0,
		patients: row.patients, seriousPatients: row.serious_patients, chronicPatients: row.chronic_patients,
		problems: row.problems, overdueProblems: row.overdue_problems, teams: row.teams
	};
}
