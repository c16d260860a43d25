import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, call, login, type Caller } from '../helpers/api';

const sql = appDatabase();
afterAll(() => sql.end());

const callers: Record<string, Caller> = {};
let kiosk: Caller = {};
beforeAll(async () => {
	for (const name of ['admin', 'leader', 'dispatcher', 'officer-371424']) callers[name] = { cookie: await login(name) };
	const token = await call('/api/kiosk-tokens', { ...callers.admin, method: 'POST', json: { name: '德州市大屏（测试）', region: '371400' } });
	kiosk = { bearer: token.body.token };
});

describe('GET /api/wall', () => {
	it("gives a province's numbers with the day's baseline, its counties' freshness and the campaign", async () => {
		const { status, body } = await call('/api/wall?region=370000', callers.leader);
		expect(status).toBe(200);
		expect(body.region).toEqual({ code: '370000', name: '山东省', level: 'province' });
		expect(body.indicators).toHaveProperty('clinic_coverage');
		expect(body.baseline.values).toHaveProperty('gaps');
		expect(body.counties).toHaveLength(137);
		expect(body.counties.filter((c: { key: boolean }) => c.key)).toHaveLength(20);
		expect(body.problems.open).toBeGreaterThanOrEqual(body.problems.overdue);
		expect(body.campaign.phases.map((p: { key: string }) => p.key)).toEqual(['deployment', 'screening', 'rectification']);
		// on demo data the campaign is under way, so the wall has a countdown to show
		const now = Date.now();
		expect(body.campaign.phases.some((p: { startsAt: string; endsAt: string }) => Date.parse(p.startsAt) <= now && now < Date.parse(p.endsAt))).toBe(true);
	});

	it("moves a county's last report when a field event arrives from it", async () => {
		const [patient] = await sql`select id, county_code from patient where county_code = '370102' and category = 'chronic' and signed_on is not null limit 1`;
		const posted = await call('/api/events', {
			...callers.dispatcher,
			method: 'POST',
			json: { type: 'patient.followed_up', payload: { patient: patient.id } },
			headers: { 'idempotency-key': `wall-fresh-${patient.id}-${Date.now()}` }
		});
		expect(posted.status).toBe(201);
		const { body } = await call('/api/wall?region=370000', callers.leader);
		const county = body.counties.find((c: { code: string }) => c.code === '370102');
		expect(Date.now() - Date.parse(county.lastEventAt)).toBeLessThan(60_000);
	});

	it("shows a city's wall to its kiosk and nothing of the rest of the province", async () => {
		const own = await call('/api/wall?region=371400', kiosk);
		expect(own.status).toBe(200);
		expect(own.body.counties).toHaveLength(11);
		for (const path of ['/api/wall?region=370000', '/api/wall/overdue?region=370000', '/api/wall?region=371500']) {
			const res = await call(path, kiosk);
			expect(res.status).toBe(403);
			expect(res.text).not.toContain('counties');
		}
		expect((await call('/api/wall?region=370000', callers['officer-371424'])).status).toBe(403);
	});

	it('answers malformed regions with 400 and unknown ones in scope with 404', async () => {
		expect((await call('/api/wall?region=abc', callers.leader)).status).toBe(400);
		expect((await call('/api/wall', callers.leader)).status).toBe(400);
		expect((await call('/api/wall?region=379900', callers.leader)).status).toBe(404);
	});
});

describe('GET /api/wall/overdue', () => {
	it('lists every overdue problem in scope with a point, as many as the indicator counts', async () => {
		// other tests close problems meanwhile: read until the two answers saw the same ledger
		let overdue, region;
		for (let attempt = 0; attempt < 5; attempt++) {
			overdue = await call('/api/wall/overdue?region=370000', callers.leader);
			region = await call('/api/regions/370000', callers.leader);
			if (overdue.body.total === region.body.indicators.overdue_problems) break;
		}
		expect(overdue!.status).toBe(200);
		expect(overdue!.body.total).toBe(overdue!.body.items.length);
		expect(overdue!.body.total).toBe(region!.body.indicators.overdue_problems);
		for (const item of overdue!.body.items) {
			expect(item.lon).toBeGreaterThan(114);
			expect(item.lat).toBeGreaterThan(34);
			expect(item.code).toMatch(/^\S+$/);
		}
	});
});
