import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { clearData, seed, type SeedOptions } from '../../src/lib/server/seed';
import type { Sql } from '../../src/lib/server/db';

const options: SeedOptions = { scale: 'test', random: 20191225, asOf: '2020-03-23' };

/** An md5 of each table's rows in key order, leaving out columns stamped with now(). */
async function fingerprint(sql: Sql): Promise<Record<string, string>> {
	const [row] = await sql`
		select
			(select md5(string_agg(concat_ws('|', code, name, level, parent_code, province_code, city_code, county_code,
				township_code, ST_AsText(geom), ST_AsText(point), population, is_key, exempt, synthetic), ';' order by code))
				from region) as region,
			(select md5(string_agg(concat_ws('|', code, name, level, parent_code, ST_AsText(geom), ST_AsText(point), is_key), ';'
				order by code)) from region where not synthetic) as real_regions,
			(select md5(string_agg(concat_ws('|', id, name, kind, region_code, county_code, ST_AsText(point), doctors,
				licensed_doctors, standard_met, departments, departments_staffed), ';' order by id)) from facility) as facility,
			(select md5(string_agg(concat_ws('|', id, village_code, county_code, category, disease, identified_on, treated_on,
				signed_on, followed_up_on, insured, enrolled_on), ';' order by id)) from patient) as patient,
			(select md5(string_agg(concat_ws('|', id, code, region_code, county_code, facility_id, category, source, description,
				found_on, deadline, responsible_unit, responsible_leader, status, supervised, is_overdue, closed_at, created_at),
				';' order by id)) from problem) as problem,
			(select md5(string_agg(concat_ws('|', id, name, status, ST_AsText(point), home_region), ';' order by id)) from team) as team,
			(select md5(string_agg(concat_ws('|', code, counts), ';' order by code)) from indicator_counter) as counters,
			(select md5(string_agg(concat_ws('|', code, day, n), ';' order by code, day)) from followup_counter) as followups`;
	return row as Record<string, string>;
}

describe('seed', () => {
	let a: TestDatabase;
	let b: TestDatabase;
	let first: Record<string, string>;
	beforeAll(async () => {
		[a, b] = await Promise.all([freshDatabase(), freshDatabase()]);
		await seed(a.sql, options);
		first = await fingerprint(a.sql);
	});
	afterAll(async () => {
		await Promise.all([a?.close(), b?.close()]);
	});

	it('gives identical rows for the same options in another database, and other places for another random', async () => {
		await seed(b.sql, options);
		expect(await fingerprint(b.sql)).toEqual(first);

		await b.sql.begin(async (tx) => {
			await clearData(tx);
		});
		await seed(b.sql, { ...options, random: 7 });
		const other = await fingerprint(b.sql);
		expect(other.real_regions).toBe(first.real_regions);
		for (const table of ['region', 'facility', 'patient', 'problem']) expect(other[table]).not.toBe(first[table]);
	});

	it('loads the real cities and counties of Ningxia, its southern mountain counties key', async () => {
		const rows = await a.sql`select code, name, level, is_key, parent_code, ST_GeometryType(geom) as type from region
			where level in ('province', 'city', 'county') order by code`;
		expect(rows.filter((r) => r.level === 'province').map((r) => r.name)).toEqual(['宁夏回族自治区']);
		expect(rows.filter((r) => r.level === 'city').map((r) => r.name)).toEqual(['银川市', '石嘴山市', '吴忠市', '固原市', '中卫市']);
		const counties = rows.filter((r) => r.level === 'county');
		expect(counties).toHaveLength(22);
		expect(counties[0]).toMatchObject({ code: '640104', name: '兴庆区', parent_code: '640100' });
		expect(counties.filter((r) => r.is_key).map((r) => r.name)).toEqual(
			expect.arrayContaining(['原州区', '西吉县', '隆德县', '泾源县', '彭阳县', '海原县', '同心县'])
		);
		expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['ST_MultiPolygon']));
	});

	it('places every township and village inside its county, with nested codes and names unique in the county', async () => {
		const [row] = await a.sql`
			select
				count(*) filter (where not ST_Covers(c.geom, r.point)) as outside,
				count(*) filter (where r.level = 'township' and (r.code !~ ('^' || c.code || '\\d{3}$') or r.parent_code <> c.code
					or r.township_code <> r.code or r.name !~ '(镇|乡)$')) as bad_townships,
				count(*) filter (where r.level = 'village' and (r.code !~ ('^' || r.parent_code || '\\d{3}$')
					or r.township_code <> r.parent_code or r.name !~ '村$')) as bad_villages,
				count(*) filter (where r.city_code <> c.city_code or r.province_code <> c.province_code) as bad_paths,
				count(*) - count(distinct (r.county_code, r.level, r.name)) as duplicate_names,
				count(*) filter (where r.level = 'township') as townships,
				count(*) filter (where r.level = 'village') as villages,
				count(*) filter (where r.level = 'township' and r.population > 10000) as large_townships
			from region r join region c on c.code = r.county_code and c.level = 'county'
			where r.level in ('township', 'village')`;
		expect(row).toMatchObject({ outside: 0, bad_townships: 0, bad_villages: 0, bad_paths: 0, duplicate_names: 0 });
		expect(row.townships).toBeGreaterThan(22 * 3 * 0.8);
		expect(row.villages).toBeGreaterThan(row.townships * 6 * 0.8);
		expect(row.large_townships).toBeGreaterThan(0);
		expect(row.large_townships).toBeLessThan(row.townships);
		const [{ seats, townships }] = await a.sql`
			select count(*) filter (where exempt = 'township_seat') as seats,
				(select count(*) from region where level = 'township') as townships
			from region where level = 'village'`;
		expect(seats).toBe(townships);
	});

	it('leaves gaps, but only a few, and none in key villages', async () => {
		const [row] = await a.sql`
			select sum((counts).villages) as villages, sum((counts).villages_gap) as village_gaps,
				sum((counts).centres) as centres, sum((counts).centres_ok) as centres_ok,
				sum((counts).counties) as counties, sum((counts).counties_ok) as counties_ok,
				sum((counts).clinics) as clinics, sum((counts).clinics_staffed) as staffed
			from indicator_counter`;
		expect(row.village_gaps).toBeGreaterThan(0);
		expect(row.village_gaps).toBeLessThan(row.villages * 0.1);
		expect(row.centres_ok).toBeLessThan(row.centres);
		expect(row.centres_ok).toBeGreaterThan(row.centres * 0.85);
		expect(row.counties_ok).toBe(17); // 75.95% of 22
		expect(row.staffed).toBeLessThan(row.clinics);
		const [{ key_gaps }] = await a.sql`
			select count(*) as key_gaps from unit_counts() u join region r on r.code = u.unit_code
			where r.is_key and r.level = 'village' and (u.counts).villages_gap > 0`;
		expect(key_gaps).toBe(0);
	});

	it('keeps a problem ledger with deadlines, some of them overdue', async () => {
		const [row] = await a.sql`
			select count(*) as problems,
				count(*) filter (where is_overdue) as overdue,
				count(*) filter (where is_overdue <> (status <> 'closed' and deadline < ${options.asOf}::date)) as wrong_overdue,
				count(*) filter (where deadline - found_on not between 15 and 120 or found_on > ${options.asOf}::date) as bad_dates,
				count(*) filter (where (status = 'closed') <> (closed_at is not null)
					or closed_at::date > ${options.asOf}::date) as bad_closed,
				count(distinct status) as statuses,
				count(*) filter (where code !~ ('^WT-' || county_code || '-\\d{4}$')) as bad_codes,
				count(*) filter (where category in ('clinic', 'hospital') and facility_id is null and region_code = county_code) as unlinked
			from problem`;
		// open, rectifying, submitted (待核查) and closed
		expect(row).toMatchObject({ wrong_overdue: 0, bad_dates: 0, bad_closed: 0, statuses: 4, bad_codes: 0, unlinked: 0 });
		// escalated exactly where the default limits put an overdue item on the as-of day
		const [escalation] = await a.sql`
			select count(*) filter (where escalation is distinct from case when not is_overdue then null
				when deadline < ${options.asOf}::date - 30 then 'province' when deadline < ${options.asOf}::date - 7 then 'city' end) as wrong
			from problem`;
		expect(escalation.wrong).toBe(0);
		expect(row.overdue).toBeGreaterThan(0);
		expect(row.overdue).toBeLessThan(row.problems / 2);
	});

	it('registers patients with realistic rates and no date after asOf', async () => {
		const [row] = await a.sql`
			select count(*) as patients,
				count(*) filter (where id !~ '^P\\d{10}$') as bad_ids,
				count(*) filter (where category = 'chronic') as chronic,
				count(*) filter (where category = 'serious_illness') as serious,
				count(*) filter (where category = 'serious_illness' and treated_on is not null) as treated,
				count(*) filter (where category = 'chronic' and signed_on is not null) as signed,
				count(*) filter (where insured) as insured,
				count(*) filter (where greatest(identified_on, treated_on, signed_on, followed_up_on, enrolled_on) > ${options.asOf}::date
					or followed_up_on < signed_on or treated_on < identified_on) as bad_dates
			from patient`;
		expect(row.bad_ids).toBe(0);
		expect(row.bad_dates).toBe(0);
		expect(row.chronic / row.patients).toBeCloseTo(0.5, 2);
		expect(row.treated / row.serious).toBeGreaterThan(0.96);
		expect(row.treated).toBeLessThan(row.serious);
		expect(row.signed / row.chronic).toBeGreaterThan(0.93);
		expect(row.insured / row.patients).toBeGreaterThan(0.99);
	});

	it('leaves counters equal to a recomputation, teams in their province and the dataset recorded', async () => {
		const [{ drift }] = await a.sql`
			select count(*) as drift from (
				select code, counts::text from indicator_counter
				except select code, counts::text from counters_from_records()
			) d`;
		expect(drift).toBe(0);
		const teams = await a.sql`
			select t.id, t.name, t.status, ST_Covers(p.geom, t.point) as inside
			from team t join region p on p.code = t.home_region order by t.id`;
		expect(teams.map((t) => [t.id, t.name, t.status, t.inside])).toEqual([
			['team-1', '第一飞行检查组', 'idle', true],
			['team-2', '第二飞行检查组', 'idle', true]
		]);
		const [{ value }] = await a.sql`select value from app_meta where key = 'dataset'`;
		expect(value).toMatchObject({ demo: true, scale: 'test', random: options.random, asOf: options.asOf });
	});

	it('refuses a database that already holds regions', async () => {
		await expect(seed(a.sql, options)).rejects.toThrow(/already holds regions/);
	});

	it('writes nothing when a step fails', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'hcc-boundaries-'));
		try {
			// Shandong loads, Gansu is missing: the demo scale fails half way through the regions
			copyFileSync(resolve('db/boundaries/370000.geojson'), join(dir, '370000.geojson'));
			await b.sql.begin((tx) => clearData(tx));
			await expect(seed(b.sql, { ...options, scale: 'demo', boundariesDir: dir })).rejects.toThrow(/620000/);
			const [{ n }] = await b.sql`select (select count(*) from region) + (select count(*) from app_meta) as n`;
			expect(n).toBe(0);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
