import { beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, call, login, type Caller } from '../helpers/api';

// What one reader may ask for, and what one reader may hold (SPEC §5: bad input is a clear 4xx).
const callers: Record<string, Caller> = {};
beforeAll(async () => {
	for (const name of ['leader', 'officer-371424']) callers[name] = { cookie: await login(name, undefined, '127.0.0.61') };
});

describe('bounds of one read', () => {
	it('reads the villages of a province or city a bounded page at a time, and says so', async () => {
		for (const path of [
			'/api/indicators?region=370000&level=village',
			'/api/indicators?region=370000&level=village&limit=1001',
			'/api/indicators?region=371400&level=village&limit=5000',
			'/api/regions/370000/children?level=village',
			'/api/regions/370000/children?level=village&limit=10000'
		]) {
			const { status, body } = await call(path, callers.leader);
			expect(status, path).toBe(400);
			expect(body.error).toMatchObject({ code: 'limit_too_large', details: [{ field: 'limit' }] });
		}
		const page = await call('/api/indicators?region=370000&level=village&limit=1000&offset=500', callers.leader);
		expect(page.status).toBe(200);
		expect(page.body.items).toHaveLength(1000);
		expect(page.body.total).toBeGreaterThan(1500);
		// a county's villages are one county's sums: the map reads them whole
		const county = await call('/api/indicators?region=371424&level=village', callers.leader);
		expect(county.status).toBe(200);
		expect(county.body.items.length).toBe(county.body.total);
	});

	it('refuses an offset past the bound with 400', async () => {
		const { status, body } = await call('/api/indicators?region=370000&level=county&offset=1000001', callers.leader);
		expect(status).toBe(400);
		expect(body.error.details[0].field).toBe('offset');
	});
});

describe('a fair share of reads per session', () => {
	it('refuses one session its reads past its share and queue with 429 and Retry-After, while another user is answered', async () => {
		const greedy = await login('leader', undefined, '127.0.0.62');
		const path = (i: number) => `/api/indicators?region=370000&level=village&limit=1000&offset=${(i * 97) % 2000}`;
		const flood = Array.from({ length: 40 }, (_, i) => fetch(`${baseUrl()}${path(i)}`, { headers: { cookie: greedy } }));
		const other = await call('/api/indicators?region=371424&level=township', callers['officer-371424']);
		const answers = await Promise.all(flood.map(async (res) => ({ res: await res, body: await (await res).json() })));
		expect(other.status).toBe(200);
		const statuses = answers.map((a) => a.res.status);
		expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
		expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
		// on a busy machine the last of its queue may pass the read time limit: 503 `timeout`, never another 5xx
		for (const { res, body } of answers) {
			expect([200, 429, 503]).toContain(res.status);
			if (res.status === 503) expect(body.error.code).toBe('timeout');
		}
		const refused = answers.find((a) => a.res.status === 429)!;
		expect(refused.res.headers.get('retry-after')).toBe('1');
		expect(refused.body.error.code).toBe('too_many_requests');
	});
});

describe('shared province aggregates', () => {
	it('answer each region for itself, only to those who may read it, with the time of the request', async () => {
		const first = await call('/api/wall?region=370000', callers.leader);
		await new Promise((r) => setTimeout(r, 20));
		const second = await call('/api/wall?region=370000', callers.leader);
		expect(second.body.indicators).toEqual(first.body.indicators);
		expect(Date.parse(second.body.serverTime)).toBeGreaterThan(Date.parse(first.body.serverTime));
		// the province's answer, computed and kept, is never an officer's
		expect((await call('/api/wall?region=370000', callers['officer-371424'])).status).toBe(403);
		expect((await call('/api/indicators?region=370000&level=county', callers['officer-371424'])).status).toBe(403);
		expect((await call('/api/rankings?region=370000&level=county', callers['officer-371424'])).status).toBe(403);
		const own = await call('/api/wall?region=371424', callers['officer-371424']);
		expect(own.status).toBe(200);
		expect(own.body.region.code).toBe('371424');
		expect(own.body.indicators).not.toEqual(first.body.indicators);
	});
});
