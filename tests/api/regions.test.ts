import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, call, login, type Caller } from '../helpers/api';
import { INDICATOR_KEYS } from '../../src/lib/indicators';

const sql = appDatabase();
afterAll(() => sql.end());

// a province-wide dispatcher reads all of Shandong
const dispatcher: Caller = {};
beforeAll(async () => {
	dispatcher.cookie = await login('dispatcher');
});
const get = (path: string) => call(path, dispatcher);

/** Indicators of each county recomputed from the records, bypassing the counters. */
async function recomputed(parent: string) {
	const rows = await sql`
		select r.code, indicator_values(c.counts,
			coalesce((select sum(n)::int from unit_followups(r.code) where day > current_date - 90), 0)) as indicators
		from region r
		cross join lateral (select indicator_counts_sum(counts) as counts from unit_counts(r.code)) c
		where r.parent_code = ${parent}
	`;
	return new Map(rows.map((row) => [row.code as string, row.indicators as Record<string, number | null>]));
}

describe('GET /api/health', () => {
	it('says which database it runs on', async () => {
		const { status, body } = await get('/api/health');
		expect(status).toBe(200);
		expect(body).toMatchObject({ ok: true, db: process.env.DATABASE_URL ? 'postgres' : 'embedded' });
		expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
	});
});

describe('GET /api/regions/{code}/children', () => {
	it('gives Shandong as its 17 cities, drawn as polygons, with every indicator', async () => {
		const { status, body } = await get('/api/regions/370000/children');
		expect(status).toBe(200);
		expect(body.type).toBe('FeatureCollection');
		expect(body.features).toHaveLength(17);
		const names = body.features.map((f: { properties: { name: string } }) => f.properties.name);
		expect(names).toContain('德州市');
		expect(names).toContain('济南市');
		for (const feature of body.features) {
			expect(['Polygon', 'MultiPolygon']).toContain(feature.geometry.type);
			expect(feature.properties).toMatchObject({ level: 'city' });
			expect(feature.properties.code).toMatch(/^37\d{2}00$/);
			for (const key of INDICATOR_KEYS) expect(feature.properties).toHaveProperty(key);
		}
	});

	it('gives the 11 counties of 德州市 with numbers equal to a full recomputation', async () => {
		const { status, body } = await get('/api/regions/371400/children');
		expect(status).toBe(200);
		expect(body.features).toHaveLength(11);
		expect(body.features.map((f: { properties: { name: string } }) => f.properties.name)).toContain('临邑县');
		const expected = await recomputed('371400');
		for (const { properties } of body.features) {
			const want = expected.get(properties.code)!;
			for (const key of INDICATOR_KEYS) expect([properties.code, key, properties[key]]).toEqual([properties.code, key, want[key]]);
		}
		// the demo data is not uniform: some county falls short somewhere
		expect(body.features.some((f: { properties: { gaps: number } }) => f.properties.gaps > 0)).toBe(true);
	});

	it('gives a county its townships as points, and any level below on request', async () => {
		const townships = await get('/api/regions/371424/children');
		expect(townships.status).toBe(200);
		expect(townships.body.features.length).toBeGreaterThan(0);
		expect(townships.body.features[0].geometry.type).toBe('Point');
		expect(townships.body.features[0].properties.code).toMatch(/^371424\d{3}$/);
		const counties = await get('/api/regions/370000/children?level=county');
		expect(counties.body.features).toHaveLength(137);
		const keyCounties = counties.body.features.filter((f: { properties: { key: boolean } }) => f.properties.key);
		expect(keyCounties).toHaveLength(20);
	});

	it('refuses a level that is not below the region', async () => {
		const { status, body } = await get('/api/regions/371424/children?level=city');
		expect(status).toBe(400);
		expect(body.error.code).toBe('invalid_level');
	});
});

describe('GET /api/regions/{code}', () => {
	it('gives the region with its indicators and targets', async () => {
		const { status, body } = await get('/api/regions/371424');
		expect(status).toBe(200);
		expect(body).toMatchObject({ code: '371424', name: '临邑县', level: 'county', cityCode: '371400' });
		expect(body.targets).toMatchObject({ treatment_rate: 0.99, clinic_coverage: 1, gaps: 0 });
		const expected = (await recomputed('371400')).get('371424')!;
		expect(body.indicators).toEqual(expected);
	});

	it('answers 400 for a malformed code, 404 for an unknown one in scope, 403 outside, in the error shape', async () => {
		const bad = await get('/api/regions/abc');
		expect(bad.status).toBe(400);
		expect(bad.body.error).toMatchObject({ code: 'invalid_region' });
		const missing = await get('/api/regions/379999');
		expect(missing.status).toBe(404);
		expect(missing.body.error).toMatchObject({ code: 'not_found' });
		// whether 999999 exists is none of a Shandong dispatcher's business
		const elsewhere = await get('/api/regions/999999');
		expect(elsewhere.status).toBe(403);
	});
});

describe('GET /api/regions/{code}/facilities', () => {
	it('gives facilities with their id and whether they meet the standard', async () => {
		const { status, body } = await get('/api/regions/371424/facilities?kind=village_clinic');
		expect(status).toBe(200);
		expect(body.features.length).toBeGreaterThan(0);
		for (const { properties } of body.features) {
			expect(properties.kind).toBe('village_clinic');
			expect(typeof properties.id).toBe('string');
			expect(typeof properties.meetsStandard).toBe('boolean');
		}
		const [{ n }] = await sql`select count(*)::int as n from facility where county_code = '371424' and kind = 'village_clinic'`;
		expect(body.total).toBe(n);
	});

	it('rejects an unknown kind', async () => {
		const { status, body } = await get('/api/regions/371424/facilities?kind=pharmacy');
		expect(status).toBe(400);
		expect(body.error.details[0].field).toBe('kind');
	});
});

describe('GET /api/indicators', () => {
	it('gives one row per county of the province, paged', async () => {
		const all = await get('/api/indicators?region=370000&level=county');
		expect(all.status).toBe(200);
		expect(all.body.total).toBe(137);
		expect(all.body.items).toHaveLength(137);
		const page = await get('/api/indicators?region=370000&level=county&limit=10&offset=130');
		expect(page.body.total).toBe(137);
		expect(page.body.items.map((i: { code: string }) => i.code)).toEqual(all.body.items.slice(130).map((i: { code: string }) => i.code));
	});

	it('rejects a missing region or an unknown level', async () => {
		expect((await get('/api/indicators?level=county')).status).toBe(400);
		expect((await get('/api/indicators?region=370000&level=street')).status).toBe(400);
		expect((await get('/api/indicators?region=371424&level=city')).status).toBe(400);
	});
});
