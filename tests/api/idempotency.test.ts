// An Idempotency-Key is bound to the request it first came with: a true retry (the same poster,
// the same kind of write, the same body in any key order) gets the first answer again and writes
// nothing; the same key with another request is refused with 422 and writes nothing. On every
// endpoint that takes the header: events, a team's status, assignments, findings and photos.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, baseUrl, call, login, type Caller } from '../helpers/api';
import { ACCOUNT_PASSWORD, createAccount } from '../helpers/accounts';

const sql = appDatabase();
const suffix = Math.random().toString(36).slice(2, 7);
const INSPECTOR = `inspector-ik-${suffix}`;
const COUNTY = '371424';
const callers: Record<string, Caller> = {};
let team = '';
let patients: string[] = [];

const keyed = (caller: Caller, path: string, json: unknown, key: string, method = 'POST') => call(path, { ...caller, method, json, headers: { 'idempotency-key': key } });
const reused = (res: { status: number; body: any }) => {
	expect(res.status).toBe(422);
	expect(res.body.error.code).toBe('idempotency_key_reused');
	expect(res.body.error.message).toContain('Idempotency-Key');
};
const eventsUnder = async (key: string) => (await sql`select count(*)::int as n from event where idempotency_key like ${`%:${key}`}`)[0].n as number;

beforeAll(async () => {
	let address = 10;
	for (const name of ['dispatcher', 'officer-371424']) callers[name] = { cookie: await login(name, undefined, `127.0.43.${address++}`) };
	patients = (await sql`select id from patient where county_code = ${COUNTY} order by id desc limit 3`).map((r) => r.id);
	await createAccount(sql, INSPECTOR, 'inspector', {});
	const created = await call('/api/teams', { ...callers.dispatcher, method: 'POST', json: { name: `重试测试组${suffix}`, home_region: '370000', members: [INSPECTOR] } });
	expect(created.status).toBe(201);
	team = created.body.id;
	callers.inspector = { cookie: await login(INSPECTOR, ACCOUNT_PASSWORD, '127.0.43.30') };
});

afterAll(async () => {
	await sql.end();
});

describe('POST /api/events', () => {
	it('answers a true retry, its payload in another key order, with the first seq and writes once', async () => {
		const key = `ik-events-${suffix}`;
		const first = await keyed(callers['officer-371424'], '/api/events', { type: 'patient.followed_up', payload: { patient: patients[0], date: '2020-03-02' } }, key);
		expect(first.status).toBe(201);
		const again = await keyed(callers['officer-371424'], '/api/events', { payload: { date: '2020-03-02', patient: patients[0] }, type: 'patient.followed_up' }, key);
		expect([again.status, again.body]).toEqual([201, first.body]);
		expect(await eventsUnder(key)).toBe(1);
	});

	it('refuses the same key with another payload, another type or another subject, writing nothing', async () => {
		const key = `ik-events-other-${suffix}`;
		const first = await keyed(callers['officer-371424'], '/api/events', { type: 'patient.followed_up', payload: { patient: patients[1], date: '2020-03-02' } }, key);
		expect(first.status).toBe(201);
		const before = (await sql`select followed_up_on::text as day, treated_on::text as treated from patient where id in ${sql(patients)} order by id`);
		reused(await keyed(callers['officer-371424'], '/api/events', { type: 'patient.followed_up', payload: { patient: patients[1], date: '2020-03-03' } }, key));
		reused(await keyed(callers['officer-371424'], '/api/events', { type: 'patient.treated', payload: { patient: patients[1], date: '2020-03-02' } }, key));
		reused(await keyed(callers['officer-371424'], '/api/events', { type: 'patient.followed_up', payload: { patient: patients[2], date: '2020-03-02' } }, key));
		expect(await eventsUnder(key)).toBe(1);
		expect(await sql`select followed_up_on::text as day, treated_on::text as treated from patient where id in ${sql(patients)} order by id`).toEqual(before);
	});

	it("keeps one poster's key apart from another's", async () => {
		const key = `ik-events-shared-${suffix}`;
		const officer = await keyed(callers['officer-371424'], '/api/events', { type: 'patient.followed_up', payload: { patient: patients[2] } }, key);
		const dispatcher = await keyed(callers.dispatcher, '/api/events', { type: 'patient.signed', payload: { patient: patients[2] } }, key);
		expect([officer.status, dispatcher.status]).toEqual([201, 201]);
		expect(dispatcher.body.seq).not.toBe(officer.body.seq);
	});
});

describe("a team's writes", () => {
	it('findings: a retry gets the same problem; another finding under its key is refused', async () => {
		const sent = await keyed(callers.dispatcher, `/api/teams/${team}/assignments`, { county: COUNTY }, `ik-assign-${suffix}`);
		expect(sent.status).toBe(201);
		expect(await keyed(callers.dispatcher, `/api/teams/${team}/assignments`, { county: COUNTY }, `ik-assign-${suffix}`)).toMatchObject({ status: 201, body: sent.body });
		reused(await keyed(callers.dispatcher, `/api/teams/${team}/assignments`, { county: '371425' }, `ik-assign-${suffix}`));
		const [village] = await sql`select code from region where county_code = ${COUNTY} and level = 'village' order by code limit 1 offset 5`;
		const finding = { region: village.code, category: 'clinic', description: `药品过期 ${suffix}` };
		const key = `ik-finding-${suffix}`;
		const first = await keyed(callers.inspector, `/api/teams/${team}/findings`, finding, key);
		expect(first.status).toBe(201);
		const again = await keyed(callers.inspector, `/api/teams/${team}/findings`, { ...finding }, key);
		expect([again.status, again.body]).toEqual([201, { ...first.body, repeated: true }]);
		reused(await keyed(callers.inspector, `/api/teams/${team}/findings`, { ...finding, description: `另一问题 ${suffix}` }, key));
		expect((await sql`select count(*)::int as n from problem where description like ${`%${suffix}`}`)[0].n).toBe(1);
	});

	it('status: a retry is answered once; another move under its key is refused', async () => {
		const key = `ik-status-${suffix}`;
		const first = await keyed(callers.inspector, `/api/teams/${team}/status`, { lon: 116.8, lat: 37.2 }, key);
		expect(first.status).toBe(201);
		expect(await keyed(callers.inspector, `/api/teams/${team}/status`, { lat: 37.2, lon: 116.8 }, key)).toMatchObject({ status: 201, body: first.body });
		reused(await keyed(callers.inspector, `/api/teams/${team}/status`, { lon: 116.9, lat: 37.2 }, key));
		expect((await sql`select st_x(point) as lon from team where id = ${team}`)[0].lon).toBe(116.8);
	});

	it('photos: a retry gets the same photo; another file under its key is refused', async () => {
		const upload = async (bytes: Uint8Array, name: string, key: string) => {
			const form = new FormData();
			form.append('file', new Blob([bytes as BlobPart], { type: 'image/png' }), name);
			const res = await fetch(`${baseUrl()}/api/teams/${team}/photos`, { method: 'POST', body: form, headers: { cookie: callers.inspector.cookie!, origin: baseUrl(), 'idempotency-key': key } });
			return { status: res.status, body: await res.json() };
		};
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ea80000000049454e44ae426082', 'hex');
		const other = Buffer.concat([png, Buffer.from([0])]);
		const key = `ik-photo-${suffix}`;
		const first = await upload(png, 'IMG_1.png', key);
		expect(first.status).toBe(201);
		expect(await upload(png, 'IMG_1.png', key)).toEqual(first);
		reused(await upload(other, 'IMG_1.png', key));
		reused(await upload(png, 'IMG_2.png', key));
		expect((await sql`select count(*)::int as n from team_photo where team_id = ${team}`)[0].n).toBe(1);
	});
});
