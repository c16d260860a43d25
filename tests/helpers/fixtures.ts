import { expect } from 'vitest';
import { ApiError } from '../../src/lib/server/http/errors';
import type { Sql } from '../../src/lib/server/db';

/** A square around (lon, lat) as a MultiPolygon. */
const square = (lon: number, lat: number, size = 0.2) =>
	`SRID=4326;MULTIPOLYGON(((${lon} ${lat},${lon + size} ${lat},${lon + size} ${lat + size},${lon} ${lat + size},${lon} ${lat})))`;

interface RegionSpec {
	code: string;
	name?: string;
	population?: number;
	exempt?: 'township_seat' | 'merged';
	isKey?: boolean;
}

/** Province 990000 › city 990100 › counties 990101 and 990102: hand-built, no seed involved. */
export async function buildProvince(db: Sql): Promise<void> {
	await db`insert into region (code, name, level, province_code, geom) values ('990000', '测试省', 'province', '990000', ${square(100, 30, 1)})`;
	await db`insert into region (code, name, level, parent_code, province_code, city_code, geom)
		values ('990100', '测试市', 'city', '990000', '990000', '990100', ${square(100, 30, 1)})`;
	for (const [code, lon] of [['990101', 100], ['990102', 100.5]] as const) {
		await db`insert into region (code, name, level, parent_code, province_code, city_code, county_code, geom)
			values (${code}, ${'测试县' + code.slice(-1)}, 'county', '990100', '990000', '990100', ${code}, ${square(lon, 30, 0.4)})`;
	}
}

export async function addTownship(db: Sql, county: string, spec: RegionSpec): Promise<void> {
	await db`insert into region (code, name, level, parent_code, province_code, city_code, county_code, township_code, population, point)
		values (${spec.code}, ${spec.name ?? '测试镇'}, 'township', ${county}, '990000', '990100', ${county}, ${spec.code},
			${spec.population ?? 8000}, 'SRID=4326;POINT(100.1 30.1)')`;
}

export async function addVillage(db: Sql, township: string, spec: RegionSpec): Promise<void> {
	await db`insert into region (code, name, level, parent_code, province_code, city_code, county_code, township_code, population, exempt, is_key, point)
		values (${spec.code}, ${spec.name ?? '测试村'}, 'village', ${township}, '990000', '990100', ${township.slice(0, 6)}, ${township},
			${spec.population ?? 800}, ${spec.exempt ?? null}, ${spec.isKey ?? false}, 'SRID=4326;POINT(100.1 30.1)')`;
}

export interface FacilitySpec {
	id: string;
	kind: 'county_hospital' | 'tcm_hospital' | 'township_center' | 'village_clinic';
	region: string;
	doctors?: number;
	licensed?: number;
	standard?: boolean;
}

export async function addFacility(db: Sql, f: FacilitySpec): Promise<void> {
	await db`insert into facility (id, name, kind, region_code, county_code, doctors, licensed_doctors, standard_met)
		values (${f.id}, ${f.id}, ${f.kind}, ${f.region}, ${f.region.slice(0, 6)}, ${f.doctors ?? 0}, ${f.licensed ?? 0}, ${f.standard ?? false})`;
}

export interface PatientSpec {
	id: string;
	village: string;
	category: 'serious_illness' | 'chronic' | 'other';
	identified?: string | null;
	treated?: string | null;
	signed?: string | null;
	followedUp?: string | null;
	insured?: boolean;
}

export async function addPatient(db: Sql, p: PatientSpec): Promise<void> {
	await db`insert into patient (id, village_code, county_code, category, disease, identified_on, treated_on, signed_on, followed_up_on, insured)
		values (${p.id}, ${p.village}, ${p.village.slice(0, 6)}, ${p.category}, '高血压', ${p.identified ?? null}, ${p.treated ?? null},
			${p.signed ?? null}, ${p.followedUp ?? null}, ${p.insured ?? true})`;
}

/** The county of a region code, or null for a city or province (codes ending in 00). */
const countyOf = (code: string) => (code.length === 6 && code.endsWith('00') ? null : code.slice(0, 6));

export async function addProblem(db: Sql, code: string, region: string, opts: { status?: string; overdue?: boolean } = {}): Promise<void> {
	const status = opts.status ?? 'open';
	await db`insert into problem (code, region_code, county_code, category, source, description, found_on, deadline,
			responsible_unit, responsible_leader, status, is_overdue, closed_at)
		values (${code}, ${region}, ${countyOf(region)},
			'clinic', 'screening', '测试问题', '2020-01-01', '2020-02-01', '测试县卫生健康局', '王副县长', ${status},
			${opts.overdue ?? false}, ${status === 'closed' ? new Date('2020-01-20') : null})`;
}

/** ISO date `days` before today (the follow-up window is counted back from today). */
export const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** The ApiError a call was refused with (fails the test when it was not refused). */
export async function refusal(promise: Promise<unknown>): Promise<ApiError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(ApiError);
	return error as ApiError;
}
