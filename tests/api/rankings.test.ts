import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, call, login, type Caller } from '../helpers/api';
import type { RankingRow } from '../../src/lib/types/wall';

const sql = appDatabase();
afterAll(() => sql.end());

const callers: Record<string, Caller> = {};
beforeAll(async () => {
	for (const name of ['leader', 'dispatcher', 'officer-371424']) callers[name] = { cookie: await login(name) };
});

type Row = RankingRow;

const ranking = async (query: string, caller = callers.leader) => call(`/api/rankings?${query}`, caller);

/** A clinic that meets the standard but has no doctor: giving it one closes its village's gap. */
async function gapClinic(order: 'asc' | 'desc') {
	const rows = await sql`
		select f.id, f.county_code from facility f join region v on v.code = f.region_code
		where f.kind = 'village_clinic' and f.standard_met and f.doctors = 0 and f.licensed_doctors = 0
			and v.exempt is null and v.province_code = '370000' and f.county_code not in ('371424', '371425', '371402')
			and not exists (select 1 from facility o where o.region_code = f.region_code and o.id <> f.id and o.kind = 'village_clinic')
		order by f.county_code ${order === 'asc' ? sql`asc` : sql`desc`}, f.id limit 1`;
	return rows[0] as { id: string; county_code: string };
}

describe('GET /api/rankings', () => {
	it("ranks Shandong's 137 counties best first, one row each, with the contract's fields", async () => {
		const { status, body } = await ranking('region=370000&level=county&indicator=clinic_coverage');
		expect(status).toBe(200);
		expect(body.total).toBe(137);
		expect(body.items).toHaveLength(137);
		const rows = body.items as Row[];
		for (const row of rows) expect(Object.keys(row)).toEqual(expect.arrayContaining(['code', 'name', 'rank', 'value', 'change']));
		expect(new Set(rows.map((r) => r.code)).size).toBe(137);
		// best first: coverage never rises down the table, and equal values share a rank
		for (let i = 1; i < rows.length; i++) {
			expect(rows[i].value!).toBeLessThanOrEqual(rows[i - 1].value!);
			expect(rows[i].rank).toBe(rows[i].value === rows[i - 1].value ? rows[i - 1].rank : i + 1);
		}
	});

	it('gives the same values as the indicators endpoint', async () => {
		const [ranked, indicators] = await Promise.all([
			ranking('region=371400&level=county&indicator=treatment_rate'),
			call('/api/indicators?region=371400&level=county', callers.leader)
		]);
		const byCode = new Map(indicators.body.items.map((i: { code: string; indicators: Record<string, number> }) => [i.code, i.indicators.treatment_rate]));
		expect(ranked.body.items).toHaveLength(11);
		for (const row of ranked.body.items as Row[]) expect(row.value).toBe(byCode.get(row.code));
	});

	it('puts the fewest gaps first: counts rank from low to high', async () => {
		const rows = (await ranking('region=370000&level=county&indicator=gaps')).body.items as Row[];
		expect(rows[0].value).toBe(Math.min(...rows.map((r) => r.value!)));
		expect(rows.at(-1)!.value).toBe(Math.max(...rows.map((r) => r.value!)));
	});

	it("measures change against the day's snapshot, and a closed gap shows in it at once", async () => {
		const clinic = await gapClinic('asc');
		const [snapshot] = await sql`select (values ->> 'gaps')::int as gaps from indicator_snapshot where region_code = ${clinic.county_code} order by taken_on desc limit 1`;
		expect(snapshot).toBeDefined();
		const row = async () => ((await ranking('region=370000&level=county&indicator=gaps')).body.items as Row[]).find((r) => r.code === clinic.county_code)!;
		const before = await row();
		expect(before.change).toBe(before.value! - snapshot.gaps);
		const posted = await call('/api/events', {
			...callers.dispatcher,
			method: 'POST',
			json: { type: 'facility.updated', payload: { facility: clinic.id, doctors: 1 } },
			headers: { 'idempotency-key': `rankings-${clinic.id}` }
		});
		expect(posted.status).toBe(201);
		const after = await row();
		expect(after.value).toBe(before.value! - 1);
		expect(after.change).toBe(before.change! - 1);
		expect(after.previousRank).toBe(before.previousRank);
	});

	it('pages with limit and offset, keeping the total', async () => {
		const all = (await ranking('region=370000&level=county&indicator=composite')).body.items as Row[];
		const page = await ranking('region=370000&level=county&indicator=composite&limit=5&offset=5');
		expect(page.body.total).toBe(137);
		expect((page.body.items as Row[]).map((r) => r.code)).toEqual(all.slice(5, 10).map((r) => r.code));
	});

	it('ranks the villages of a county for its officer, and defaults to the composite score', async () => {
		const { status, body } = await ranking('region=371424&level=village', callers['officer-371424']);
		expect(status).toBe(200);
		expect(body.indicator).toBe('composite');
		expect(body.total).toBeGreaterThan(0);
		expect(body.items.every((r: Row) => r.code.startsWith('371424'))).toBe(true);
	});

	it.each([
		['region=370000&level=city&indicator=nonsense', 400],
		['region=370000&level=province', 400],
		['region=370000&level=village', 400],
		['region=37&level=county', 400],
		['level=county', 400],
		['region=370000&level=county&limit=0', 400],
		['region=379900&level=county', 404]
	])('answers %s with %i and a clear error', async (query, status) => {
		const res = await ranking(query);
		expect(res.status).toBe(status);
		expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
	});

	it("refuses a county officer the province's table and another county's villages", async () => {
		for (const query of ['region=370000&level=county', 'region=371425&level=village']) {
			const res = await ranking(query, callers['officer-371424']);
			expect(res.status).toBe(403);
			expect(res.text).not.toContain('"items"');
		}
	});
});
