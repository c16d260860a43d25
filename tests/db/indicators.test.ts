import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { addFacility, addPatient, addProblem, addTownship, addVillage, buildProvince, daysAgo } from '../helpers/fixtures';
import { findRegion } from '../../src/lib/server/geo/regions';
import { indicatorsAt, regionIndicators } from '../../src/lib/server/indicators/queries';
import { changeUnits, counterDrift, holdRecords, holdUnits, releaseUnits } from '../../src/lib/server/indicators/counters';
import type { Sql } from '../../src/lib/server/db';

async function indicatorsOf(sql: Sql, code: string) {
	const region = await findRegion(code, sql);
	if (!region) throw new Error(`no region ${code}`);
	return regionIndicators(region, sql);
}

/**
 * County 990101: township 990101001 (10,000 people) with villages
 *   …001 standard clinic with a village doctor      → covered, staffed
 *   …002 township seat, no clinic                   → exempt: covered, not a gap
 *   …003 merged with a neighbour, no clinic         → exempt
 *   …004 clinic below standard, no doctor at all    → not covered, unstaffed, gap
 *   …005 no clinic                                  → not covered, gap
 * Townships: 001 (10,000 people, 1 licensed) ok; 002 (10,001, 4 licensed) short;
 * 003 (10,001, 5 licensed) ok; 004 (500 people, none licensed) short and a gap; 005 has no
 * centre at all: a gap, though not a centre to count.
 * No county hospital at the standard. County 990102 is empty but for a standard hospital.
 */
async function build(sql: Sql) {
	await buildProvince(sql);
	await addTownship(sql, '990101', { code: '990101001', population: 10_000 });
	await addTownship(sql, '990101', { code: '990101002', population: 10_001 });
	await addTownship(sql, '990101', { code: '990101003', population: 10_001 });
	await addTownship(sql, '990101', { code: '990101004', population: 500 });
	await addTownship(sql, '990101', { code: '990101005', population: 900 });
	await addVillage(sql, '990101001', { code: '990101001001' });
	await addVillage(sql, '990101001', { code: '990101001002', exempt: 'township_seat' });
	await addVillage(sql, '990101001', { code: '990101001003', exempt: 'merged' });
	await addVillage(sql, '990101001', { code: '990101001004' });
	await addVillage(sql, '990101001', { code: '990101001005' });
	await addFacility(sql, { id: 'c1', kind: 'village_clinic', region: '990101001001', doctors: 1, standard: true });
	await addFacility(sql, { id: 'c4', kind: 'village_clinic', region: '990101001004', doctors: 0, licensed: 0, standard: false });
	await addFacility(sql, { id: 't1', kind: 'township_center', region: '990101001', licensed: 1 });
	await addFacility(sql, { id: 't2', kind: 'township_center', region: '990101002', licensed: 4 });
	await addFacility(sql, { id: 't3', kind: 'township_center', region: '990101003', licensed: 5 });
	await addFacility(sql, { id: 't4', kind: 'township_center', region: '990101004', licensed: 0 });
	await addFacility(sql, { id: 'h1', kind: 'county_hospital', region: '990101', standard: false });
	await addFacility(sql, { id: 'h2', kind: 'county_hospital', region: '990102', standard: true });
	const v = '990101001001';
	await addPatient(sql, { id: 'S001', village: v, category: 'serious_illness', identified: '2020-01-02', treated: '2020-01-10' });
	await addPatient(sql, { id: 'S002', village: v, category: 'serious_illness', identified: '2020-01-02' });
	await addPatient(sql, { id: 'S003', village: v, category: 'serious_illness', identified: null });
	await addPatient(sql, { id: 'C001', village: v, category: 'chronic', signed: '2020-01-01', followedUp: daysAgo(10) });
	await addPatient(sql, { id: 'C002', village: v, category: 'chronic', signed: '2020-01-01', followedUp: daysAgo(100) });
	await addPatient(sql, { id: 'C003', village: v, category: 'chronic', insured: false });
	await addProblem(sql, 'P1', '990101', { status: 'closed' });
	await addProblem(sql, 'P2', '990101001004', { overdue: true });
	await addProblem(sql, 'P3', '990101001', {});
	await addProblem(sql, 'P4', '990100', { overdue: true });
	await sql`select recompute_counters()`;
}

describe('indicators', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
		await build(db.sql);
	});
	afterAll(() => db.close());

	it('counts exempt villages as covered and villages without a standard clinic as gaps', async () => {
		const v = await indicatorsOf(db.sql, '990101001');
		expect(v.clinic_coverage).toBe(0.6);
		// 2 villages, and township 990101001 has a licensed physician so adds no gap
		expect(v.gaps).toBe(2);
	});

	it('counts a clinic as staffed with a village doctor or a licensed physician', async () => {
		expect((await indicatorsOf(db.sql, '990101001')).village_doctor_coverage).toBe(0.5);
	});

	it('asks five licensed physicians only of townships above 10,000 people', async () => {
		const county = await indicatorsOf(db.sql, '990101');
		expect(county.township_doctor_ok).toBe(0.5);
		expect((await indicatorsOf(db.sql, '990101001')).township_doctor_ok).toBe(1);
		expect((await indicatorsOf(db.sql, '990101002')).township_doctor_ok).toBe(0);
	});

	it('counts a county without a standard hospital as a gap, and rolls hospitals up to the city', async () => {
		const county = await indicatorsOf(db.sql, '990101');
		expect(county.county_hospital_ok).toBe(0);
		// villages 004, 005 + township 004 without a licensed physician + township 005 without
		// a centre + the county hospital
		expect(county.gaps).toBe(5);
		expect((await indicatorsOf(db.sql, '990101005')).gaps).toBe(1);
		expect((await indicatorsOf(db.sql, '990100')).county_hospital_ok).toBe(0.5);
	});

	it('measures treatment over identified patients only, and follow-up over signed patients in 90 days', async () => {
		const v = await indicatorsOf(db.sql, '990101001001');
		expect(v.treatment_rate).toBe(0.5);
		expect(v.chronic_signed_rate).toBe(0.6667);
		expect(v.followup_rate).toBe(0.5);
		expect(v.insurance_coverage).toBe(0.8333);
	});

	it('recounts recent follow-ups from the day rows when a counter kept them for another day', async () => {
		const kept = await indicatorsOf(db.sql, '990101');
		expect(kept.followup_rate).toBe(0.5);
		// yesterday's count (and a wrong one) must not be read today
		await db.sql`update indicator_counter set followed = 0, followed_on = current_date - 1 where code = '990101'`;
		expect((await indicatorsOf(db.sql, '990101')).followup_rate).toBe(0.5);
		await db.sql`select refresh_followed()`;
		const [row] = await db.sql`select followed, followed_on = current_date as today from indicator_counter where code = '990101'`;
		expect({ ...row }).toEqual({ followed: 1, today: true });
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('counts problems at every level and overdue ones only while open', async () => {
		const county = await indicatorsOf(db.sql, '990101');
		expect(county.rectification_rate).toBe(0.3333);
		expect(county.overdue_problems).toBe(1);
		const city = await indicatorsOf(db.sql, '990100');
		expect(city.overdue_problems).toBe(2);
		expect(city.rectification_rate).toBe(0.25);
	});

	it('leaves rates empty where a region has nothing to count', async () => {
		const empty = await indicatorsOf(db.sql, '990102');
		expect(empty.clinic_coverage).toBeNull();
		expect(empty.treatment_rate).toBeNull();
		expect(empty.rectification_rate).toBeNull();
		expect(empty.county_hospital_ok).toBe(1);
		expect(empty.gaps).toBe(0);
		expect(empty.composite).toBe(100);
	});

	it('gives every child region every indicator', async () => {
		const province = await findRegion('990000', db.sql);
		const { items, total } = await indicatorsAt(province!, 'county', {}, db.sql);
		expect(total).toBe(2);
		expect(items.map((item) => item.code)).toEqual(['990101', '990102']);
		expect(Object.keys(items[0].indicators).sort()).toEqual([
			'chronic_signed_rate', 'clinic_coverage', 'composite', 'county_hospital_ok', 'followup_rate', 'gaps',
			'insurance_coverage', 'overdue_problems', 'rectification_rate', 'township_doctor_ok', 'treatment_rate',
			'village_doctor_coverage'
		]);
		const county = await findRegion('990101', db.sql);
		const villages = await indicatorsAt(county!, 'village', {}, db.sql);
		expect(villages.total).toBe(5);
	});

	it("pages a province's or a city's townships and villages with the values their county gives them", async () => {
		const county = await findRegion('990101', db.sql);
		for (const level of ['township', 'village'] as const) {
			const inCounty = await indicatorsAt(county!, level, {}, db.sql);
			for (const code of ['990000', county!.cityCode!]) {
				const within = await findRegion(code, db.sql);
				const page = await indicatorsAt(within!, level, { limit: 2, offset: 1 }, db.sql);
				expect(page.total).toBe(5);
				expect(page.items).toEqual(inCounty.items.slice(1, 3));
				expect(await indicatorsAt(within!, level, { limit: 2, offset: 5 }, db.sql)).toEqual({ items: [], total: 5 });
			}
		}
	});

	it("reads one unit's counts and follow-up days as the full recomputation counts them", async () => {
		// every region of the fixture: villages, townships with and without a centre, counties,
		// the city with its own problem, the province
		const rows = await db.sql`
			select r.code, s.counter_code, s.counts::text as counts, s.followups,
				u.counter_code as full_counter, u.counts::text as full_counts,
				(select coalesce(jsonb_object_agg(f.day::text, f.n), '{}'::jsonb) from unit_followups(null, r.code) f) as full_followups
			from region r
			cross join lateral unit_state(r.code) s
			cross join lateral unit_counts(null, r.code) u
			where r.province_code = '990000' or r.code = '990000'`;
		expect(rows).toHaveLength(14);
		for (const row of rows) {
			expect({ code: row.code, counter: row.counter_code, counts: row.counts, followups: row.followups }).toEqual({
				code: row.code,
				counter: row.full_counter,
				counts: row.full_counts,
				followups: row.full_followups
			});
		}
		expect(rows.some((row) => Object.keys(row.followups).length === 2)).toBe(true);
		expect(await db.sql`select * from unit_state('nowhere')`).toHaveLength(0);
	});

	it("reads many units' states at once as one unit's and the full recomputation count them", async () => {
		const codes = (await db.sql`select code from region where province_code = '990000' or code = '990000' order by code`).map((r) => r.code as string);
		const many = await db.sql`select unit, counter_code, counts::text as counts, followups from units_state(${[...codes, 'nowhere']}::text[]) order by unit`;
		const one = await db.sql`
			select r.code as unit, s.counter_code, s.counts::text as counts, s.followups
			from region r cross join lateral unit_state(r.code) s where r.code = any(${codes}::text[]) order by r.code`;
		expect(many).toHaveLength(codes.length);
		expect([...many]).toEqual([...one]);
	});

	it('moves the counters once for a batch of holds, and not for a change rolled back to its savepoint', async () => {
		const sql = db.sql;
		await sql.begin(async (tx) => {
			await holdRecords(tx, ['c4', 'nowhere'], ['C002', 'S002']);
			await tx`update facility set standard_met = true, doctors = 1 where id = 'c4'`;
			await tx`update patient set followed_up_on = current_date where id = 'C002'`;
			await holdUnits(tx, ['990101001001', '990101001004']);
			await tx`update patient set treated_on = '2020-02-01' where id = 'S002'`;
			// a change whose savepoint is rolled back takes its hold and its change with it
			await tx.savepoint(async (sp) => {
				await holdUnits(sp, ['990101']);
				await sp`update facility set standard_met = true where id = 'h1'`;
				throw new Error('refused');
			}).catch(() => {});
			await holdUnits(tx, ['990101001004']);
			await tx`update problem set status = 'closed', closed_at = now() where code = 'P2'`;
			await releaseUnits(tx);
			// released twice: nothing more moves
			await releaseUnits(tx);
			// held again after a release: counted from its state at that point
			await holdUnits(tx, ['990101001001']);
			await tx`update patient set followed_up_on = current_date - 1 where id = 'C002'`;
			await releaseUnits(tx);
		});
		expect(await counterDrift(sql)).toEqual([]);
		expect((await sql`select standard_met from facility where id = 'h1'`)[0].standard_met).toBe(false);
		await expect(sql.begin((tx) => holdUnits(tx, ['nowhere']))).rejects.toThrow(/does not exist/);
	});

	it('keeps counters moved by each change equal to a full recomputation', async () => {
		const sql = db.sql;
		await sql.begin(async (tx) => {
			await changeUnits(tx, ['990101001004'], () => tx`update facility set standard_met = true, doctors = 1 where id = 'c4'`);
			await changeUnits(tx, ['990101001001'], () => tx`update patient set followed_up_on = current_date where id = 'C002'`);
			await changeUnits(tx, ['990101001001'], () => tx`update patient set treated_on = '2020-02-01' where id = 'S002'`);
			await changeUnits(tx, ['990101001004'], () => tx`update problem set status = 'closed', closed_at = now() where code = 'P2'`);
			await changeUnits(tx, ['990101'], () => tx`update facility set standard_met = true where id = 'h1'`);
			await changeUnits(tx, ['990101001005'], () =>
				tx`insert into facility (id, name, kind, region_code, county_code, doctors, standard_met)
					values ('c5', 'c5', 'village_clinic', '990101001005', '990101', 2, true)`);
		});
		expect(await counterDrift(sql)).toEqual([]);
		const county = await indicatorsOf(sql, '990101');
		expect(county.clinic_coverage).toBe(1);
		expect(county.followup_rate).toBe(1);
		expect(county.treatment_rate).toBe(1);
		expect(county.overdue_problems).toBe(0);
		expect(county.county_hospital_ok).toBe(1);
		// only the townships without a licensed physician (004) or a centre (005) are left
		expect(county.gaps).toBe(2);
	});

	it('counts two concurrent changes in one village once each', async () => {
		const sql = db.sql;
		await sql`update patient set treated_on = null where id in ('S001', 'S002')`;
		await sql`select recompute_counters()`;
		let firstChanged!: () => void;
		const changed = new Promise<void>((resolve) => (firstChanged = resolve));
		// the first change stays open while the second runs all the way through
		const first = sql.begin((tx) =>
			changeUnits(tx, ['990101001001'], async () => {
				await tx`update patient set treated_on = '2020-03-01' where id = 'S001'`;
				firstChanged();
				await new Promise((r) => setTimeout(r, 500));
			})
		);
		await changed;
		const second = sql.begin((tx) =>
			changeUnits(tx, ['990101001001'], () => tx`update patient set treated_on = '2020-03-01' where id = 'S002'`)
		);
		await Promise.all([first, second]);
		expect(await counterDrift(sql)).toEqual([]);
	});
});
