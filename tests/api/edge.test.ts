// Bad input at the edge: a NUL character anywhere, a date no calendar or no office has, a body
// that is not the form it claims to be, a write from another site or another scheme. Each is
// refused with a 4xx in the contract's shape (or a page that says so) and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, ACCOUNT_PASSWORD } from '../helpers/accounts';
import { appDatabase, baseUrl, call, connect, login } from '../helpers/api';

const sql = appDatabase();
const suffix = Math.random().toString(36).slice(2, 8);
const ADMIN = `edge-admin-${suffix}`;
const OFFICER = `edge-officer-${suffix}`;
const cookies: Record<string, string> = {};
let patient = '';
let address = 0;
const next = () => `10.88.${(++address >> 8) & 255}.${address & 255}`;

/** What the accounts of this file could have written. */
async function written() {
	const [row] = await sql`
		select (select count(*) from audit_log where actor in (${ADMIN}, ${OFFICER})) as audits,
			(select count(*) from event where actor in (${ADMIN}, ${OFFICER})) as events,
			(select count(*) from kiosk_token where created_by = ${ADMIN}) as tokens,
			(select count(*) from app_user where username like ${`edge-%-${suffix}%`}) as users,
			(select max(followed_up_on)::text from patient where id = ${patient}) as followed`;
	return row;
}

const send = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
	fetch(`${baseUrl()}${path}`, { redirect: 'manual', ...init, headers: { 'x-forwarded-for': next(), ...init.headers } });

const json = (path: string, who: string | undefined, payload: string, headers: Record<string, string> = {}) =>
	send(path, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', ...(who ? { cookie: cookies[who] } : {}), ...headers } });

/** A multipart body cut off before its closing boundary: `request.formData()` throws on it. */
const BROKEN_MULTIPART = { body: '--edge\r\ncontent-disposition: form-data; name="username"\r\n\r\nadmin', type: 'multipart/form-data; boundary=edge' };

beforeAll(async () => {
	await createAccount(sql, ADMIN, 'admin', { region: '370000' });
	await createAccount(sql, OFFICER, 'county_officer', { region: '371424' });
	cookies.admin = await login(ADMIN, ACCOUNT_PASSWORD, next());
	cookies.officer = await login(OFFICER, ACCOUNT_PASSWORD, next());
	[{ id: patient }] = await sql`select id from patient where county_code = '371424' and signed_on is not null order by id limit 1`;
});
afterAll(() => sql.end());

describe('a NUL character', () => {
	it('in a JSON body is refused with 422 naming its field, at any depth, before it reaches PostgreSQL', async () => {
		const before = await written();
		const cases: [string, string | undefined, string, string][] = [
			['/api/auth/login', undefined, '{"username":"ad\\u0000min","password":"x"}', 'username'],
			['/api/kiosk-tokens', 'admin', '{"name":"大屏\\u0000","region":"370000"}', 'name'],
			['/api/users', 'admin', `{"username":"edge-u-${suffix}","password":"a long password","role":"leader","scope":"370000","full_name":"张\\u0000三"}`, 'full_name'],
			['/api/events', 'officer', '{"type":"facility.updated","payload":{"facility":"f\\u0000","doctors":1}}', 'payload.facility']
		];
		for (const [path, who, payload, field] of cases) {
			const res = await json(path, who, payload, { 'idempotency-key': `edge-${suffix}-${field}` });
			expect(res.status, path).toBe(422);
			const { error } = await res.json();
			expect(error.code, path).toBe('invalid_fields');
			expect(error.details, path).toContainEqual({ field, message: expect.stringContaining('空字符') });
		}
		expect(await written()).toEqual(before);
	});

	it('in a query string or a path is refused with 400 by every route, API and page alike', async () => {
		for (const path of ['/api/audit?actor=a%00b', '/api/problems?region=370000&q=%00', '/api/regions/370000?x%00=1', '/api/teams/a%00b']) {
			const res = await send(path, { headers: { cookie: cookies.admin } });
			expect(res.status, path).toBe(400);
			expect((await res.json()).error.code, path).toBe('invalid_request');
		}
		for (const path of ['/admin/audit?actor=a%00b', '/county/37142%00', '/problems?q=%00']) {
			const res = await send(path, { headers: { cookie: cookies.admin, accept: 'text/html' } });
			expect(res.status, path).toBe(400);
			expect(res.headers.get('content-type'), path).toContain('text/html');
			expect(await res.text(), path).toContain('空字符');
		}
	});

	it('in a form field is refused with 400, by the login page and the admin forms', async () => {
		const before = await written();
		const login = await send('/login', { method: 'POST', body: 'username=ad%00min&password=x', headers: { origin: baseUrl(), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
		expect(login.status).toBe(400);
		expect(await login.json()).toMatchObject({ type: 'error', error: { code: 'invalid_form' } });
		const create = await send('/admin/kiosk?/create', { method: 'POST', body: 'name=%E5%A4%A7%E5%B1%8F%00&region=370000', headers: { origin: baseUrl(), cookie: cookies.admin, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
		expect(create.status).toBe(400);
		expect(await written()).toEqual(before);
	});

	it('in an imported file is an error of its row or its header, never a 500', async () => {
		const [village] = await sql`select code from region where county_code = '370302' and level = 'village' order by code limit 1`;
		const header = 'region_code,category,source,description,found_on,deadline,responsible_unit,responsible_leader';
		const row = `${village.code},clinic,audit,描述,2026-01-05,2026-12-31,卫健局,王某`;
		const upload = (text: string) =>
			send('/api/imports/problems?dry_run=1', { method: 'POST', body: text, headers: { origin: baseUrl(), cookie: cookies.admin, 'content-type': 'text/csv' } });
		const inCell = await upload(`${header}\n${row.replace('描述', '描\u0000述')}\n`);
		expect(inCell.status).toBe(422);
		expect((await inCell.json()).error.details).toContainEqual({ row: 2, field: 'description', message: expect.stringContaining('控制字符') });
		const inHeader = await upload(`${header},备注\u0000\n${row},x\n`);
		expect(inHeader.status).toBe(422);
		expect((await inHeader.json()).error.details).toContainEqual({ row: 1, field: '', message: expect.stringContaining('第 9 列的表头含有不可见的控制字符') });
	});
});

describe('a date', () => {
	const followUp = (date: string) => json('/api/events', 'officer', JSON.stringify({ type: 'patient.followed_up', payload: { patient, date } }), { 'idempotency-key': `edge-${suffix}-${date}` });

	it('of year 0000, 1900, 9999 or a day no calendar has is refused as a follow-up, with what is wrong', async () => {
		const before = await written();
		for (const [date, message] of [
			['0000-01-01', '日期应在 2000-01-01 到 2100-12-31 之间'],
			['1900-01-01', '日期应在 2000-01-01 到 2100-12-31 之间'],
			['9999-12-31', '日期应在 2000-01-01 到 2100-12-31 之间'],
			['2026-02-30', '没有这一天'],
			['', '日期格式应为 YYYY-MM-DD']
		]) {
			const res = await followUp(date);
			expect(res.status, date).toBe(422);
			expect((await res.json()).error.details, date).toEqual([{ field: 'payload.date', message }]);
		}
		expect(await written()).toEqual(before);
	});

	it('out of range is refused as a filter of the ledger and the audit log with 400', async () => {
		for (const path of ['/api/problems?region=370000&deadline_from=1900-01-01', '/api/problems?region=370000&deadline_to=0000-01-01', '/api/audit?from=0000-01-01', '/api/audit?to=9999-12-31']) {
			const res = await send(path, { headers: { cookie: cookies.admin } });
			expect(res.status, path).toBe(400);
			expect((await res.json()).error.details[0].message, path).toContain('2000-01-01');
		}
		expect((await send('/admin/audit?from=0000-01-01', { headers: { cookie: cookies.admin } })).status).toBeLessThan(500);
	});
});

describe('a malformed multipart body', () => {
	it('posted to /login or an /admin form action answers 400 in the shape the page reads', async () => {
		const before = await written();
		for (const [path, cookie] of [['/login', ''], ['/admin?/create', cookies.admin], ['/admin?/update', cookies.admin], ['/admin/kiosk?/create', cookies.admin], ['/admin/kiosk?/revoke', cookies.admin]]) {
			const headers = { origin: baseUrl(), 'content-type': BROKEN_MULTIPART.type, ...(cookie ? { cookie } : {}) };
			const enhanced = await send(path, { method: 'POST', body: BROKEN_MULTIPART.body, headers: { ...headers, accept: 'application/json', 'x-sveltekit-action': 'true' } });
			expect(enhanced.status, path).toBe(400);
			expect(await enhanced.json(), path).toMatchObject({ type: 'error', error: { code: 'invalid_form', message: expect.stringContaining('表单') } });
			// a browser without script gets the error page
			const page = await send(path, { method: 'POST', body: BROKEN_MULTIPART.body, headers: { ...headers, accept: 'text/html' } });
			expect(page.status, path).toBe(400);
			expect(await page.text(), path).toContain('data-testid="error-page"');
		}
		expect(await written()).toEqual(before);
	});
});

describe('a write from another site', () => {
	it('to a form action is refused with 403: a page for a browser, the contract shape for a script, an action result for use:enhance', async () => {
		const post = (accept: string, extra: Record<string, string> = {}) =>
			send('/login', { method: 'POST', body: 'username=admin&password=x', headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded', accept, ...extra } });
		const page = await post('text/html');
		expect(page.status).toBe(403);
		expect(page.headers.get('content-type')).toContain('text/html');
		expect(await page.text()).toContain('拒绝跨站请求');
		const script = await post('application/json');
		expect(script.status).toBe(403);
		expect(await script.json()).toEqual({ error: { code: 'cross_origin', message: '拒绝跨站请求' } });
		const enhanced = await post('application/json', { 'x-sveltekit-action': 'true' });
		expect(await enhanced.json()).toEqual({ type: 'error', status: 403, error: { code: 'cross_origin', message: '拒绝跨站请求' } });
		// a page's form post without an Origin at all is refused too, as SvelteKit's own check did
		expect((await send('/login', { method: 'POST', body: 'username=admin&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(403);
	});

	it('from the same host under another scheme is another origin, for the API, the forms and the socket', async () => {
		const before = await written();
		const other = baseUrl().replace(/^http:/, 'https:');
		const api = await json('/api/kiosk-tokens', 'admin', JSON.stringify({ name: 'scheme', region: '370000' }), { origin: other });
		expect(api.status).toBe(403);
		expect((await api.json()).error.code).toBe('cross_origin');
		const form = await send('/admin/kiosk?/create', { method: 'POST', body: 'name=scheme&region=370000', headers: { origin: other, cookie: cookies.admin, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
		expect(form.status).toBe(403);
		await expect(connect({ cookie: cookies.officer, origin: other })).rejects.toThrow();
		expect(await written()).toEqual(before);
		// the server's own origin still passes
		const own = await connect({ cookie: cookies.officer, origin: baseUrl() });
		own.close();
		expect((await json('/api/kiosk-tokens', 'admin', JSON.stringify({ name: `edge-${suffix}`, region: '370000' }), { origin: baseUrl() })).status).toBe(201);
	});
});

describe('every answer', () => {
	it('carries nosniff, no framing and a Content-Security-Policy, pages and API alike', async () => {
		for (const path of ['/api/health', '/api/me', '/login', '/', '/wall', '/api/nowhere', '/nowhere']) {
			const res = await send(path, { headers: { cookie: cookies.admin } });
			expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(res.headers.get('x-frame-options'), path).toBe('DENY');
			expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
		}
		// what the app does not answer itself: a built file, socket.io's polling
		for (const path of ['/_app/version.json', '/socket.io/?EIO=4&transport=polling']) {
			const res = await send(path);
			expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(res.headers.get('x-frame-options'), path).toBe('DENY');
		}
		const api = await send('/api/me', { headers: { cookie: cookies.admin } });
		expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
		// a page: its own script by nonce, MapLibre's workers from blob:, nothing from another host
		const page = (await send('/login')).headers.get('content-security-policy')!;
		expect(page).toMatch(/script-src 'self' 'nonce-[^']+'/);
		expect(page).toContain("worker-src 'self' blob:");
		expect(page).not.toMatch(/https?:\/\//);
	});
});

describe('the same checks', () => {
	it('answer a request that passes them as before', async () => {
		const res = await json('/api/events', 'officer', JSON.stringify({ type: 'patient.followed_up', payload: { patient, date: '2020-03-02' } }), { 'idempotency-key': `edge-${suffix}-ok` });
		expect(res.status).toBe(201);
		const login = await send('/login', { method: 'POST', body: `username=${OFFICER}&password=${encodeURIComponent(ACCOUNT_PASSWORD)}`, headers: { origin: baseUrl(), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-sveltekit-action': 'true' } });
		expect(await login.json()).toMatchObject({ type: 'redirect' });
		expect((await call('/api/problems?region=371424&deadline_from=2000-01-01&deadline_to=2100-12-31', { cookie: cookies.officer })).status).toBe(200);
	});
});
