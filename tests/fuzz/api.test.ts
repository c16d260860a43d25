// Bad input, generated: every POST/PATCH endpoint and form action answers arbitrary bodies,
// content types and headers with a 4xx (never a 5xx), and a rejected request writes nothing.
// The fuzzer works through accounts of its own, so its checks are not disturbed by the other
// test files that run against the same server, and the demo accounts are never locked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { appDatabase, baseUrl, login } from '../helpers/api';
import { PAYLOADS } from '../../src/lib/server/events/types';

const sql = appDatabase();
const RUNS = 120;
const suffix = Math.random().toString(36).slice(2, 8);
const ADMIN = `fuzz-admin-${suffix}`;
const POSTER = `fuzz-poster-${suffix}`;
const TARGET = `fuzz-target-${suffix}`;
const PASSWORD = 'fuzz password 123';
const DEMO_ACCOUNTS = ['admin', 'leader', 'dispatcher', 'officer-371424', 'inspector-1'];

let adminCookie = '';
let posterCookie = '';
let targetId = 0;
let nextAddress = 0;
const statuses: Record<string, number> = {};
/** a fresh client address per request: the per-address login limit never trips */
const address = () => `10.77.${(++nextAddress >> 8) & 255}.${nextAddress & 255}`;

/** What a request by the fuzz accounts could have written. */
async function footprint() {
	const [row] = await sql`
		select
			(select count(*) from audit_log where actor in (${ADMIN}, ${POSTER})) as audits,
			(select count(*) from event where actor in (${ADMIN}, ${POSTER})) as events,
			(select md5(string_agg(u::text, ',' order by id)) from app_user u where username like ${`fuzz-%-${suffix}`} or id = ${targetId}) as users,
			-- the fuzzer's own: other test files create tokens at the same time
			(select count(*) from kiosk_token where created_by = ${ADMIN}) as tokens,
			(select count(*) from user_session s join app_user u on u.id = s.user_id where u.username like 'fz-%' or u.username = ${TARGET}) as sessions
	`;
	return row;
}

interface Sent {
	method: string;
	path: string;
	body?: string;
	contentType?: string;
	headers?: Record<string, string>;
	cookie?: string;
}

async function send(r: Sent) {
	const headers: Record<string, string> = { 'x-forwarded-for': address(), ...r.headers };
	if (r.contentType !== undefined) headers['content-type'] = r.contentType;
	if (r.cookie) headers.cookie = r.cookie;
	const res = await fetch(`${baseUrl()}${r.path}`, { method: r.method, headers, body: r.body, redirect: 'manual' });
	const text = await res.text();
	statuses[`${r.method} ${r.path.split('?')[0].replace(/\/users\/.*/, '/users/{id}')} ${res.status}`] = (statuses[`${r.method} ${r.path.split('?')[0].replace(/\/users\/.*/, '/users/{id}')} ${res.status}`] ?? 0) + 1;
	return { status: res.status, text };
}

/** Sends, then checks: no 5xx, and nothing written when the answer is a refusal. */
async function check(r: Sent) {
	const before = await footprint();
	const answer = await send(r);
	const { text } = answer;
	let status = answer.status;
	// a form action asked for JSON answers 200 and names its own outcome
	if (r.headers?.accept === 'application/json' && !r.path.startsWith('/api/') && status === 200) {
		const result = JSON.parse(text) as { type: string; status?: number };
		if (result.type === 'failure' || result.type === 'error') status = result.status ?? 400;
	}
	expect(status, `${r.method} ${r.path} ${r.body?.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
	if (status >= 400) expect(await footprint(), `${r.method} ${r.path} ${r.body?.slice(0, 200)} → ${status}`).toEqual(before);
	return status;
}

// the blocks below share the connection: it closes once they are all done
afterAll(async () => {
	if (process.env.FUZZ_STATS) console.log(statuses);
	await sql.end();
});

// ---- generators

const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_:./ %"\'{}[]'.split('')), maxLength: 40 });
/** a string with a NUL in it, which PostgreSQL text cannot hold */
const nul = fc.oneof(fc.constantFrom('\u0000', 'a\u0000b', '370000\u0000', '\u0000'.repeat(3)), printable.map((s) => `${s}\u0000`), printable.map((s) => `\u0000${s}`));
/** dates no calendar or no office has, and the edges of the range that is taken */
const extremeDay = fc.constantFrom('0000-01-01', '9999-12-31', '1900-01-01', '2026-02-30', '', '1999-12-31', '2101-01-01', '2026-00-10', '+275760-09-13', '-000001-01-01', `${'9'.repeat(5000)}-01-01`, '2026-01-01\u0000', '2026-1-1');
const contentType = fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx'), { nil: undefined });
const weird = fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.string({ maxLength: 3000 }), nul, extremeDay, fc.array(nul, { maxLength: 2 }));
/** a right value with a NUL slipped into it: a string the checks of its field may pass on */
const withNul = (good: fc.Arbitrary<unknown>) => fc.tuple(good, fc.nat(40)).map(([value, at]) => (typeof value === 'string' ? `${value.slice(0, at)}\u0000${value.slice(at)}` : value));
/** an object shaped like `fields`, each field right, right but for a NUL, wrong or missing, plus strays */
const nearly = (fields: Record<string, fc.Arbitrary<unknown>>) =>
	fc.record(Object.fromEntries(Object.entries(fields).map(([key, good]) => [key, fc.oneof({ weight: 2, arbitrary: good }, { weight: 1, arbitrary: withNul(good) }, { weight: 2, arbitrary: weird })])), { requiredKeys: [] }).chain((obj) =>
		fc.dictionary(fc.oneof(printable, nul), weird, { maxKeys: 2 }).map((extra) => ({ ...extra, ...obj }))
	);
/** a body: JSON of a near-valid object, JSON of anything, or bytes that are not JSON */
const bodyOf = (shape: fc.Arbitrary<unknown>) =>
	fc.oneof(
		{ weight: 3, arbitrary: shape.map((x) => JSON.stringify(x)) },
		{ weight: 1, arbitrary: fc.anything().map((x) => JSON.stringify(x) ?? 'null') },
		{ weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
		{ weight: 1, arbitrary: fc.constantFrom('', '{', '{"a":', '[1,2', 'null', '"x"', '\u0000', '{"__proto__":{"admin":true}}') }
	);
const request = (shape: fc.Arbitrary<unknown>) => fc.record({ body: bodyOf(shape), contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentType }) });

const region = fc.oneof(fc.constantFrom('370000', '371424', '371400', '620000', '999999', '37', ''), fc.stringMatching(/^\d{1,12}$/));
const role = fc.constantFrom('admin', 'leader', 'dispatcher', 'county_officer', 'inspector', 'root', '');
// every event type the API takes, each with its own payload's fields (a type added later joins by itself)
const fieldValue = fc.oneof(
	printable,
	region,
	fc.integer({ min: -5, max: 20_000 }),
	fc.boolean(),
	fc.double({ min: 0, max: 200, noNaN: true }),
	fc.constantFrom('2020-02-30', '2999-01-01', '2020-01-01', '2030-06-01', 'yesterday', 'team-1', 'open', 'rectifying', 'closed', 'screening', 'inspection'),
	nul,
	extremeDay
);
const payloadFields = (type: keyof typeof PAYLOADS) => Object.keys((PAYLOADS[type] as unknown as { shape?: Record<string, unknown> }).shape ?? {});
const eventShape = fc.oneof(
	...(Object.keys(PAYLOADS) as (keyof typeof PAYLOADS)[]).map((type) =>
		nearly({ type: fc.constant(type), payload: nearly(Object.fromEntries(payloadFields(type).map((field) => [field, fieldValue]))) })
	),
	nearly({ type: fc.constantFrom('indicators.changed', 'problem.overdue', 'x'), payload: weird }),
	weird
);

describe('fuzzing every POST and PATCH endpoint', () => {
	beforeAll(async () => {
		const admin = await login('admin', 'demo-password', '10.76.0.1');
		for (const [username, role, scope] of [[ADMIN, 'admin', '370000'], [POSTER, 'dispatcher', '370000'], [TARGET, 'leader', '370000']]) {
			const res = await fetch(`${baseUrl()}/api/users`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', cookie: admin, 'x-forwarded-for': '10.76.0.1' },
				body: JSON.stringify({ username, password: PASSWORD, role, scope })
			});
			expect(res.status).toBe(201);
			if (username === TARGET) targetId = (await res.json()).id;
		}
		adminCookie = await login(ADMIN, PASSWORD, '10.76.0.2');
		posterCookie = await login(POSTER, PASSWORD, '10.76.0.3');
	});

	it('POST /api/events', async () => {
		await fc.assert(
			fc.asyncProperty(request(eventShape), fc.option(fc.string({ unit: fc.constantFrom(...'ab1-_ ~'.split('')), maxLength: 120 }), { nil: undefined }), async (r, key) => {
				await check({ method: 'POST', path: '/api/events', ...r, cookie: posterCookie, headers: key === undefined ? {} : { 'idempotency-key': key } });
			}),
			{ numRuns: RUNS }
		);
	});

	it('POST /api/events/batch', async () => {
		const item = eventShape.chain((event) =>
			fc.option(fc.string({ unit: fc.constantFrom(...'ab1-_ ~'.split('')), maxLength: 120 }), { nil: undefined }).map((key) =>
				key === undefined || typeof event !== 'object' || event === null ? event : { ...event, key }
			)
		);
		const shape = nearly({ events: fc.array(item, { maxLength: 4 }) });
		await fc.assert(
			fc.asyncProperty(request(shape), async (r) => {
				const status = await check({ method: 'POST', path: '/api/events/batch', ...r, cookie: posterCookie });
				expect([200, 400, 403, 413, 415, 422]).toContain(status);
			}),
			{ numRuns: RUNS }
		);
	});

	it('POST /api/users', async () => {
		const shape = nearly({ username: fc.oneof(fc.constantFrom(...DEMO_ACCOUNTS, ADMIN), printable), password: fc.string({ maxLength: 300 }), role, scope: fc.oneof(region, fc.constantFrom('team-1', 'team-x')) });
		await fc.assert(fc.asyncProperty(request(shape), async (r) => void (await check({ method: 'POST', path: '/api/users', ...r, cookie: adminCookie }))), { numRuns: RUNS });
	});

	it('PATCH /api/users/{id} (only its own target account, or ids no account has)', async () => {
		const id = fc.oneof(fc.constant(String(targetId)), fc.constantFrom('abc', '-1', '0', '1e3', '9007199254740993', '%20', '1.5'), fc.integer({ min: 1_000_000_000 }).map(String));
		// the target's password and disabled flag may change on success; its role may not become admin's own scope for others
		const shape = nearly({ role, scope: fc.oneof(region, fc.constantFrom('team-1')), disabled: fc.boolean(), password: fc.string({ maxLength: 300 }) });
		await fc.assert(fc.asyncProperty(id, request(shape), async (id, r) => void (await check({ method: 'PATCH', path: `/api/users/${id}`, ...r, cookie: adminCookie }))), { numRuns: RUNS });
	});

	it('POST /api/kiosk-tokens', async () => {
		const shape = nearly({ name: fc.string({ maxLength: 120 }), region });
		await fc.assert(fc.asyncProperty(request(shape), async (r) => void (await check({ method: 'POST', path: '/api/kiosk-tokens', ...r, cookie: adminCookie }))), { numRuns: RUNS });
	});

	it('POST /api/auth/login (never a demo account; a refusal records only its failure)', async () => {
		const shape = nearly({ username: fc.oneof(fc.constant(TARGET), printable.map((s) => `fz-${s}`)), password: fc.string({ maxLength: 300 }) });
		await fc.assert(
			fc.asyncProperty(request(shape), async (r) => {
				// whatever the generator made, no demo account is ever tried (they must not be locked)
				let parsed: unknown = null;
				try {
					parsed = JSON.parse(r.body);
				} catch {
					// not JSON: no account named
				}
				fc.pre(!DEMO_ACCOUNTS.includes((parsed as { username?: string } | null)?.username as string));
				const status = await check({ method: 'POST', path: '/api/auth/login', ...r });
				if (status === 200) throw new Error(`signed in with ${r.body}`);
			}),
			{ numRuns: RUNS }
		);
	});

	it('POST /api/auth/logout (cookies of every shape)', async () => {
		const cookie = fc.oneof(fc.constant(undefined), fc.string({ unit: fc.constantFrom(...'abcdef0123456789-_'.split('')), maxLength: 120 }).map((s) => `session=${s}`));
		await fc.assert(fc.asyncProperty(request(weird), cookie, async (r, cookie) => void (await check({ method: 'POST', path: '/api/auth/logout', ...r, cookie }))), { numRuns: RUNS });
	});

	it('DELETE /api/kiosk-tokens/{id} (ids no token has)', async () => {
		const id = fc.oneof(fc.constantFrom('abc', '-1', '0', '1e3', '9007199254740993', '%00', '1.5', 'a%00b', ''), fc.integer({ min: 1_000_000_000 }).map(String));
		await fc.assert(fc.asyncProperty(id, request(weird), async (id, r) => void (await check({ method: 'DELETE', path: `/api/kiosk-tokens/${id}`, ...r, cookie: adminCookie }))), { numRuns: RUNS / 2 });
	});

	// every form action of the pages, sent as a form, as a multipart body and as a broken one
	const ACTIONS = ['/admin?/create', '/admin?/update', '/admin?/toggle', '/admin?/details', '/admin?/password', '/admin/kiosk?/create', '/admin/kiosk?/revoke', '/login'];
	const formField = fc.oneof(printable, fc.string({ maxLength: 100 }), role, region, nul, extremeDay);
	const formFields = fc.record(
		{
			username: fc.oneof(fc.constant(TARGET), printable.map((s) => `fz-${s}`), nul),
			password: formField,
			role: formField,
			scope: formField,
			name: formField,
			region: formField,
			full_name: formField,
			disabled: fc.constantFrom('true', 'false', '\u0000'),
			// update, toggle, details and password only ever touch the fuzzer's own target; revoke no token at all
			id: fc.oneof(fc.constant('target'), fc.constantFrom('', 'x', '-1', '99999999999', '1\u0000'))
		},
		{ requiredKeys: [] }
	);
	const part = (boundary: string, name: string, value: string, file: boolean) =>
		`--${boundary}\r\ncontent-disposition: form-data; name="${name}"${file ? '; filename="x.txt"' : ''}\r\n${file ? 'content-type: text/plain\r\n' : ''}\r\n${value}\r\n`;
	/** A body as a browser would send the form, or multipart cut short, with another boundary or none, or bytes that are not a form. */
	const formBody = (fields: Record<string, string>) =>
		fc.oneof(
			fc.constant({ body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' }),
			fc.record({ file: fc.boolean(), cut: fc.option(fc.nat(400), { nil: undefined }), declared: fc.constantFrom('same', 'other', 'none', 'empty') }).map(({ file, cut, declared }) => {
				const boundary = 'fuzzform';
				const whole = Object.entries(fields).map(([name, value]) => part(boundary, name, value, file && name === 'name')).join('') + `--${boundary}--\r\n`;
				const type = { same: `multipart/form-data; boundary=${boundary}`, other: 'multipart/form-data; boundary=other', none: 'multipart/form-data', empty: 'multipart/form-data; boundary=' }[declared];
				return { body: cut === undefined ? whole : whole.slice(0, cut), contentType: type };
			}),
			fc.record({ body: fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'))), contentType: fc.constantFrom('multipart/form-data; boundary=x', 'application/x-www-form-urlencoded') })
		);

	it('form actions of /admin, /admin/kiosk and /login (forms, multipart, broken multipart; changes only to its own target)', async () => {
		const sent = fc.constantFrom(...ACTIONS).chain((path) =>
			formFields.chain((fields) => {
				// the target is the fuzzer's own account; revoke is given only ids no token has
				const own = path.endsWith('revoke') ? '99999999999' : String(targetId);
				return formBody(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === 'target' ? own : v]))).map((body) => ({ path, ...body }));
			})
		);
		await fc.assert(
			fc.asyncProperty(sent, fc.boolean(), async ({ path, body, contentType }, enhanced) => {
				const headers: Record<string, string> = { origin: baseUrl(), accept: 'application/json', ...(enhanced ? { 'x-sveltekit-action': 'true' } : {}) };
				const status = await check({ method: 'POST', path, body, contentType, cookie: path === '/login' ? undefined : adminCookie, headers });
				if (path === '/login') expect(status, body).not.toBe(200);
			}),
			{ numRuns: RUNS * 2 }
		);
	});

	it('GET of every reading endpoint and page with NUL bytes and extreme dates in the query or the path', async () => {
		const paths = fc.constantFrom('/api/audit', '/api/events', '/api/indicators', '/api/rankings', '/api/regions/370000', '/api/regions/370000/children', '/api/regions/370000/facilities', '/api/problems', '/api/wall', '/api/wall/overdue', '/api/me', '/admin/audit', '/problems', '/wall', '/');
		const key = fc.constantFrom('region', 'level', 'after', 'limit', 'offset', 'from', 'to', 'actor', 'entity', 'action', 'indicator', 'kind', 'deadline_from', 'deadline_to', 'q', 'token', 'lang');
		// a NUL now and then: a request with one never gets past the first check
		const value = fc.oneof({ weight: 1, arbitrary: nul }, { weight: 3, arbitrary: extremeDay }, { weight: 2, arbitrary: region }, { weight: 1, arbitrary: printable });
		const name = fc.oneof({ weight: 6, arbitrary: key }, { weight: 1, arbitrary: nul });
		const tail = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('%00', '/%00', '%2500') });
		await fc.assert(
			fc.asyncProperty(paths, fc.array(fc.tuple(name, value), { maxLength: 4 }), tail, async (path, pairs, tail) => {
				const url = `${path}${tail}?${new URLSearchParams(pairs).toString()}`;
				const { status, text } = await send({ method: 'GET', path: url, cookie: adminCookie });
				expect(status, `${url} → ${text.slice(0, 200)}`).toBeLessThan(500);
				if (url.includes('%00')) expect(status, url).toBe(400);
			}),
			{ numRuns: RUNS }
		);
	});
});

// ---- dispatch: teams, assignments, status, findings, cross-inspection, weights (accounts of
// its own in 辽宁 210000, which no other test file dispatches in)

describe('fuzzing the dispatch endpoints', () => {
	const D = { dispatcher: `fz-disp-${suffix}`, admin: `fz-dadmin-${suffix}`, inspector: `fz-insp-${suffix}` };
	const cookies: Record<string, string> = {};
	let team = '';

	/** What a request by these accounts could have written. */
	async function dispatchFootprint() {
		const [row] = await sql`
			select
				(select count(*) from audit_log where actor in (${D.dispatcher}, ${D.admin}, ${D.inspector})) as audits,
				(select count(*) from event where actor in (${D.dispatcher}, ${D.admin}, ${D.inspector})) as events,
				(select md5(string_agg(concat_ws('|', t.id, t.name, t.status, st_astext(t.point), st_astext(t.home_point), t.home_region, t.leader_id), ';' order by t.id))
					from team t join region h on h.code = t.home_region where h.province_code = '210000') as teams,
				(select md5(coalesce(string_agg(concat_ws('|', u.username, u.scope_team), ';' order by u.username), '')) from app_user u
					where u.username = ${D.inspector} or u.scope_team in (select t.id from team t join region h on h.code = t.home_region where h.province_code = '210000')) as members,
				(select count(*) from assignment where assigned_by = ${D.dispatcher}) as assignments,
				(select count(*) from cross_inspection where drawn_by = ${D.dispatcher}) as rounds,
				(select count(*) from finding where reported_by in (${D.dispatcher}, ${D.inspector})) as findings,
				(select md5(coalesce(string_agg(weights::text, ';'), '')) from dispatch_setting where province_code = '210000') as weights,
				(select count(*) from team_photo where uploaded_by in (${D.dispatcher}, ${D.inspector})) as photos`;
		return row;
	}

	async function checkDispatch(r: Sent) {
		const before = await dispatchFootprint();
		const { status, text } = await send(r);
		expect(status, `${r.method} ${r.path} ${r.body?.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
		if (status >= 400) expect(await dispatchFootprint(), `${r.method} ${r.path} ${r.body?.slice(0, 200)} → ${status}`).toEqual(before);
	}

	beforeAll(async () => {
		const { createAccount, ACCOUNT_PASSWORD } = await import('../helpers/accounts');
		await createAccount(sql, D.dispatcher, 'dispatcher', { region: '210000' });
		await createAccount(sql, D.admin, 'admin', { region: '210000' });
		await createAccount(sql, D.inspector, 'inspector', { team: 'team-13' });
		for (const [key, username] of Object.entries(D)) cookies[key] = await login(username, ACCOUNT_PASSWORD, address());
		const created = await send({ method: 'POST', path: '/api/teams', body: JSON.stringify({ name: '辽宁模糊组', home_region: '210000', members: [D.inspector] }), contentType: 'application/json', cookie: cookies.dispatcher });
		expect(created.status).toBe(201);
		team = JSON.parse(created.text).id;
	});

	const county = fc.oneof(fc.constantFrom('210102', '210103', '210202', '371424', '999999', '210000', ''), fc.stringMatching(/^\d{1,7}$/));
	const point = nearly({ lon: fc.double({ min: 60, max: 140, noNaN: true }), lat: fc.double({ min: 0, max: 60, noNaN: true }) });
	const day = fc.oneof(fc.constantFrom('2020-02-30', '2999-01-01', '0000-01-01', '2030-06-01', 'today', new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)), extremeDay);
	const teamPath = () => fc.oneof(fc.constant(team), fc.constantFrom('team-1', 'team-13', 'team-x', '%00', 'a'.repeat(60), '..'));

	it('POST /api/teams and PATCH /api/teams/{id}', async () => {
		const roster = { name: fc.oneof(printable, fc.constant('a\u0000b')), home_region: county, home: point, leader: fc.oneof(fc.constant(D.inspector), printable), members: fc.array(fc.oneof(fc.constant(D.inspector), fc.constantFrom('inspector-1', 'nobody')), { maxLength: 3 }) };
		await fc.assert(fc.asyncProperty(request(nearly(roster)), async (r) => void (await checkDispatch({ method: 'POST', path: '/api/teams', ...r, cookie: cookies.admin }))), { numRuns: RUNS / 2 });
		const change = nearly({ ...roster, status: fc.constantFrom('idle', 'off_duty', 'travelling', 'reporting', 'x'), position: point });
		await fc.assert(
			fc.asyncProperty(teamPath(), request(change), async (id, r) => void (await checkDispatch({ method: 'PATCH', path: `/api/teams/${encodeURIComponent(id)}`, ...r, cookie: cookies.dispatcher }))),
			{ numRuns: RUNS / 2 }
		);
	});

	it('POST /api/teams/{id}/assignments and PATCH …/assignments/{id}', async () => {
		const places = fc.array(fc.oneof(fc.constantFrom('210102001', '210102001001', '370102-hospital', ''), printable), { maxLength: 4 });
		const shape = nearly({ county, places, starts_on: day, ends_on: day, reason: fc.oneof(printable, fc.string({ maxLength: 400 })), unannounced: fc.boolean() });
		await fc.assert(
			fc.asyncProperty(teamPath(), request(shape), async (id, r) => void (await checkDispatch({ method: 'POST', path: `/api/teams/${encodeURIComponent(id)}/assignments`, ...r, cookie: cookies.dispatcher }))),
			{ numRuns: RUNS / 2 }
		);
		const ending = nearly({ status: fc.constantFrom('done', 'cancelled', 'open', '') });
		const assignmentId = fc.oneof(fc.constantFrom('1', '0', '-1', 'x', '1e9', '9007199254740993'), fc.nat().map(String));
		await fc.assert(
			fc.asyncProperty(assignmentId, request(ending), async (id, r) => void (await checkDispatch({ method: 'PATCH', path: `/api/teams/${team}/assignments/${id}`, ...r, cookie: cookies.dispatcher }))),
			{ numRuns: RUNS / 2 }
		);
	});

	it('POST /api/teams/{id}/status and /findings (with and without an Idempotency-Key)', async () => {
		const status = nearly({ status: fc.constantFrom('idle', 'travelling', 'inspecting', 'reporting', 'off_duty', 'x'), lon: fc.double({ min: 60, max: 140, noNaN: true }), lat: fc.double({ min: 0, max: 60, noNaN: true }) });
		const key = fc.option(fc.string({ unit: fc.constantFrom(...'ab1-_ ~'.split('')), maxLength: 120 }), { nil: undefined });
		await fc.assert(
			fc.asyncProperty(teamPath(), request(status), key, async (id, r, k) =>
				void (await checkDispatch({ method: 'POST', path: `/api/teams/${encodeURIComponent(id)}/status`, ...r, cookie: cookies.inspector, headers: k === undefined ? {} : { 'idempotency-key': k } }))
			),
			{ numRuns: RUNS / 2 }
		);
		const finding = nearly({
			region: fc.oneof(county, fc.constantFrom('210102001001', '210102001')),
			category: fc.constantFrom('clinic', 'doctor', 'x'),
			description: fc.oneof(printable, fc.string({ maxLength: 600 }), fc.constant('\u0000')),
			deadline: day,
			responsible_unit: printable,
			responsible_leader: printable,
			evidence: fc.array(printable, { maxLength: 3 })
		});
		await fc.assert(
			fc.asyncProperty(teamPath(), request(finding), key, async (id, r, k) =>
				void (await checkDispatch({ method: 'POST', path: `/api/teams/${encodeURIComponent(id)}/findings`, ...r, cookie: cookies.inspector, headers: k === undefined ? {} : { 'idempotency-key': k } }))
			),
			{ numRuns: RUNS / 2 }
		);
	});

	it('POST /api/teams/{id}/photos (bytes of every kind, under every content type)', async () => {
		const bytes = fc.oneof(
			fc.uint8Array({ maxLength: 300 }),
			fc.constant(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0, 4, 1, 2])),
			fc.constant(new TextEncoder().encode('%PDF-1.4')),
			fc.constant(new Uint8Array(0))
		);
		const field = fc.constantFrom('file', 'photo', '');
		const type = fc.constantFrom('image/jpeg', 'application/pdf', 'text/plain', '');
		await fc.assert(
			fc.asyncProperty(teamPath(), bytes, field, type, fc.boolean(), fc.constantFrom('x.jpg', 'a\u0000.jpg', '\u0000'), async (id, content, name, mime, asForm, fileName) => {
				const form = new FormData();
				if (name) form.append(name, new Blob([content as BlobPart], { type: mime }), fileName);
				const before = await dispatchFootprint();
				const res = await fetch(`${baseUrl()}/api/teams/${encodeURIComponent(id)}/photos`, {
					method: 'POST',
					body: asForm ? form : (content as BodyInit),
					headers: { cookie: cookies.inspector, origin: baseUrl(), 'x-forwarded-for': address(), ...(asForm ? {} : { 'content-type': mime || 'application/octet-stream' }) }
				});
				const text = await res.text();
				expect(res.status, `${id} ${name} ${mime} → ${text.slice(0, 200)}`).toBeLessThan(500);
				if (res.status >= 400) expect(await dispatchFootprint()).toEqual(before);
			}),
			{ numRuns: RUNS / 2 }
		);
	});

	it('POST /api/cross-inspections and PUT /api/dispatch/weights', async () => {
		const cross = nearly({ province: fc.oneof(region, fc.constant('210000')), cities: fc.array(fc.oneof(fc.constantFrom('210100', '210200', '370100', '210000'), printable), { maxLength: 4 }) });
		await fc.assert(fc.asyncProperty(request(cross), async (r) => void (await checkDispatch({ method: 'POST', path: '/api/cross-inspections', ...r, cookie: cookies.dispatcher }))), { numRuns: RUNS / 2 });
		const w = fc.oneof(fc.double({ min: -5, max: 2000, noNaN: true }), fc.integer({ min: -5, max: 5000 }));
		const weights = nearly({ overdue: w, supervised: w, open: w, gaps: w, belowTarget: w, key: w, monthsSince: w, maxDays: w, recentDays: w, quiet: fc.oneof(fc.constant(null), nearly({ from: fc.constantFrom('07-01', '02-30', '13-01', 'x'), to: fc.constantFrom('09-30', '00-00'), factor: w })) });
		const province = fc.constantFrom('', '?province=210000', '?province=370000', '?province=21', '?province=210100');
		await fc.assert(
			fc.asyncProperty(province, request(weights), async (q, r) => void (await checkDispatch({ method: 'PUT', path: `/api/dispatch/weights${q}`, ...r, cookie: cookies.admin }))),
			{ numRuns: RUNS / 2 }
		);
	});
});

// ---- imports: malformed CSV and GeoJSON, in every encoding and shape an office might send
describe('fuzzing the imports', () => {
	const COUNTY = '370302';
	let cookie = '';
	const pools: Record<string, string[]> = {};

	/** Everything stored in the county the fuzzed files name, and what the fuzz admin wrote. */
	async function written() {
		const [row] = await sql`
			select md5(concat_ws('|',
				(select string_agg(r::text, ',' order by code) from region r where county_code = ${COUNTY}),
				(select string_agg(f::text, ',' order by id) from facility f where county_code = ${COUNTY}),
				(select string_agg(p::text, ',' order by id) from patient p where county_code = ${COUNTY}),
				(select string_agg(q::text, ',' order by code) from problem q where county_code = ${COUNTY}),
				(select counts::text from indicator_counter where code = ${COUNTY}))) as county`;
		return { county: row.county, ...(await footprint()) };
	}

	beforeAll(async () => {
		cookie = await login(ADMIN, PASSWORD, '10.76.0.9');
		const villages = await sql`select code, township_code from region where county_code = ${COUNTY} and level = 'village' order by code limit 5`;
		pools.village = villages.map((v) => v.code);
		pools.township = villages.map((v) => v.township_code);
		pools.facility = (await sql`select id from facility where county_code = ${COUNTY} order by id limit 5`).map((f) => f.id);
		pools.patient = (await sql`select id from patient where county_code = ${COUNTY} order by id limit 5`).map((p) => p.id);
	});

	const HEADERS = ['code', 'name', 'township_code', 'lon', 'lat', 'population', 'key', 'kind', 'village_code', 'doctors', 'licensed_doctors', 'standard_met', 'id', 'category',
		'disease', 'identified_on', 'treated_on', 'signed_on', 'followed_up_on', 'insured', 'region_code', 'source', 'description', 'found_on', 'deadline', 'responsible_unit',
		'responsible_leader', 'status', '代码', '名称', '乡镇代码', '经度', '纬度', '人口', '重点村', '机构类型', '患者编号', '村代码', '类别', '疾病', '识别日期', '问题描述', '状态', '', '备注', '代码 ', '"代码"', '名称\u0000'];
	/** The generators, once the county's codes are known. */
	const generators = () => {
		const cell = () =>
			fc.oneof(
				fc.constantFrom(...pools.village, ...pools.township, ...pools.facility, ...pools.patient, '620102001201', '370302999999', '371424'),
				fc.constantFrom('', ' ', '是', '否', '也许', '大病', '慢病', '村卫生室', '诊所', '已销号', '搁置', '0', '-1', '1e309', '3.71E+11', '１２０', '120.0', '36.8', '999', '2020-01-05', '2020/1/5', '0000-01-01', '2020-02-30', '2999-01-01', '43831', '20200105', '２０２０年１月５日', '1900-01-01', '9999-12-31', '1', '36525', '2026/02/30', '0000年1月1日'),
				fc.constantFrom('"', '""', '"abc', 'a"b', '\u0000', '=cmd|calc', '\r', '\n', ',', '\uFEFF', '😀', 'WT-370302-0001', 'WT-371424-0001'),
				fc.string({ maxLength: 30 }),
				fc.string({ unit: 'binary', maxLength: 10 })
			);
		const line = (cells: fc.Arbitrary<string[]>) => cells.chain((values) => fc.constantFrom(',', ';', '\t').map((sep) => values.map((v) => (/[",\r\n]/.test(v) && v.length > 1 ? `"${v.replace(/"/g, '""')}"` : v)).join(sep)));
		const csvFile = fc
			.record({
				header: line(fc.array(fc.constantFrom(...HEADERS), { minLength: 0, maxLength: 12 })),
				rows: fc.array(line(fc.array(cell(), { maxLength: 12 })), { maxLength: 8 }),
				eol: fc.constantFrom('\r\n', '\n', '\r'),
				bom: fc.boolean(),
				encoding: fc.constantFrom('utf-8', 'gbk'),
				cut: fc.option(fc.nat(2000), { nil: undefined })
			})
			.map(({ header, rows, eol, bom, encoding, cut }) => {
				const text = [header, ...rows].join(eol) + eol;
				let bytes: Uint8Array = encoding === 'gbk' ? new Uint8Array(iconv.encode(text, 'gbk')) : new TextEncoder().encode(text);
				if (bom) bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
				return cut === undefined ? bytes : bytes.subarray(0, cut);
			});
		const point = fc.oneof(
			fc.record({ type: fc.constant('Point'), coordinates: fc.tuple(fc.double({ min: 110, max: 125 }), fc.double({ min: 30, max: 40 })) }),
			fc.record({ type: fc.constantFrom('Point', 'LineString', 'Polygon', 'x'), coordinates: fc.anything() }),
			fc.constant(null)
		);
		const feature = fc.record(
			{ type: fc.constantFrom('Feature', 'feature', 'X'), geometry: point, properties: fc.oneof(fc.dictionary(fc.constantFrom(...HEADERS), cell(), { maxKeys: 8 }), fc.anything()) },
			{ requiredKeys: [] }
		);
		const geojsonFile = fc
			.oneof(
				fc.record({ type: fc.constant('FeatureCollection'), features: fc.array(feature, { maxLength: 6 }) }).map((x) => JSON.stringify(x)),
				feature.map((x) => JSON.stringify(x)),
				fc.json(),
				fc.record({ type: fc.constant('FeatureCollection'), features: fc.array(feature, { maxLength: 4 }) }).chain((x) => fc.nat(200).map((n) => JSON.stringify(x).slice(0, n)))
			)
			.map((text) => new TextEncoder().encode(text));

		const importRequest = (file: fc.Arbitrary<Uint8Array>) =>
			fc.record({
				kind: fc.constantFrom('villages', 'facilities', 'patients', 'problems', 'teams'),
				file,
				dryRun: fc.boolean(),
				contentType: fc.constantFrom('text/csv', 'application/octet-stream', 'application/json', 'application/vnd.ms-excel', 'text/plain', 'multipart/form-data; boundary=x', '')
			});
		return { csvFile, geojsonFile, importRequest };
	};

	async function checkImport(r: { kind: string; file: Uint8Array; dryRun: boolean; contentType: string }) {
		const before = await written();
		const res = await fetch(`${baseUrl()}/api/imports/${r.kind}${r.dryRun ? '?dry_run=1' : ''}`, {
			method: 'POST',
			headers: { cookie, 'x-forwarded-for': address(), origin: baseUrl(), ...(r.contentType ? { 'content-type': r.contentType } : {}) },
			body: r.file as BodyInit
		});
		const text = await res.text();
		expect(res.status, `${r.kind} ${new TextDecoder().decode(r.file).slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
		if (res.status >= 400 || r.dryRun) expect(await written(), `${r.kind} → ${res.status} ${text.slice(0, 200)}`).toEqual(before);
	}

	it('POST /api/imports/{kind} with malformed CSV', async () => {
		const { importRequest, csvFile } = generators();
		await fc.assert(fc.asyncProperty(importRequest(csvFile), checkImport), { numRuns: RUNS });
	});

	it('POST /api/imports/{kind} with malformed GeoJSON', async () => {
		const { importRequest, geojsonFile } = generators();
		await fc.assert(fc.asyncProperty(importRequest(geojsonFile), checkImport), { numRuns: RUNS });
	});
});

// The problem ledger: its own accounts and connection, so that its checks stand on their own.
describe('fuzzing the problem ledger', () => {
	const ledgerSql = appDatabase();
	const LEDGER = `fuzz-ledger-${suffix}`;
	let cookie = '';
	let target = 0;

	/** What the ledger account could have written: events, audit rows, problems, evidence. */
	async function ledgerFootprint() {
		const [row] = await ledgerSql`
			select (select count(*) from audit_log where actor = ${LEDGER}) as audits,
				(select count(*) from event where actor = ${LEDGER}) as events,
				(select count(*) from problem_evidence where uploaded_by = ${LEDGER}) as files,
				(select md5(string_agg(p::text, ',' order by id)) from problem p where id = ${target}) as target`;
		return row;
	}

	async function checkLedger(r: Sent) {
		const before = await ledgerFootprint();
		const { status, text } = await send({ ...r, cookie, headers: { origin: baseUrl(), ...r.headers } });
		expect(status, `${r.method} ${r.path} ${r.body?.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
		if (status >= 400) expect(await ledgerFootprint(), `${r.method} ${r.path} → ${status}`).toEqual(before);
	}

	beforeAll(async () => {
		const admin = await login('admin', 'demo-password', '10.76.1.1');
		const res = await fetch(`${baseUrl()}/api/users`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie: admin, 'x-forwarded-for': '10.76.1.1' },
			body: JSON.stringify({ username: LEDGER, password: PASSWORD, role: 'dispatcher', scope: '370000' })
		});
		expect(res.status).toBe(201);
		cookie = await login(LEDGER, PASSWORD, '10.76.1.2');
		const [row] = await ledgerSql`select id from problem where county_code = '371424' and status = 'submitted' order by id limit 1`;
		target = row?.id ?? (await ledgerSql`select id from problem where county_code = '371424' order by id limit 1`)[0].id;
	});
	afterAll(() => ledgerSql.end());

	const day = fc.oneof(extremeDay, fc.constantFrom('2020-02-30', '0000-01-01', '2999-12-31', '2026-13-01', '', '\u0000'), fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
	const id = fc.oneof(fc.constant(String(0)), fc.constantFrom('abc', '-1', '1e3', '9007199254740993', '%00', '1.5'), fc.integer({ min: 1_000_000_000 }).map(String));

	it('POST /api/problems', async () => {
		const shape = nearly({ region, category: fc.constantFrom('clinic', 'doctor', 'x'), source: fc.constantFrom('audit', 'inspection', 'x'), description: fc.string({ maxLength: 600 }), deadline: day, responsible_unit: fc.string({ maxLength: 120 }), responsible_leader: fc.string({ maxLength: 60 }) });
		await fc.assert(fc.asyncProperty(request(shape), async (r) => void (await checkLedger({ method: 'POST', path: '/api/problems', ...r }))), { numRuns: RUNS });
	});

	it('PATCH /api/problems/{id} (its own target, or ids no problem has)', async () => {
		const which = fc.oneof(fc.constant('target'), id);
		const shape = nearly({ status: fc.constantFrom('open', 'rectifying', 'submitted', 'closed', 'done'), note: fc.string({ maxLength: 600 }), reason: fc.string({ maxLength: 400 }), evidence: fc.array(fc.integer(), { maxLength: 12 }), deadline: day });
		await fc.assert(
			fc.asyncProperty(which, request(shape), async (w, r) => void (await checkLedger({ method: 'PATCH', path: `/api/problems/${w === 'target' ? target : w}`, ...r }))),
			{ numRuns: RUNS }
		);
	});

	it('POST /api/problems/{id}/evidence (bodies of every shape)', async () => {
		const bytes = fc.uint8Array({ maxLength: 2000 });
		const part = fc.record({ field: fc.constantFrom('file', 'other', '', 'fi\u0000le'), name: fc.oneof(fc.string({ maxLength: 60 }), nul), bytes });
		await fc.assert(
			fc.asyncProperty(fc.oneof(fc.constant('target'), id), fc.array(part, { maxLength: 3 }), contentType, fc.option(fc.nat(3000), { nil: undefined }), async (w, parts, type, cut) => {
				const boundary = 'fuzzboundary';
				const whole = parts.map((p) => `--${boundary}\r\ncontent-disposition: form-data; name="${p.field}"; filename="${p.name}"\r\ncontent-type: image/png\r\n\r\n${Buffer.from(p.bytes).toString('latin1')}\r\n`).join('') + `--${boundary}--\r\n`;
				// a multipart body cut short anywhere, its closing boundary lost
				const body = cut === undefined ? whole : whole.slice(0, cut);
				await checkLedger({ method: 'POST', path: `/api/problems/${w === 'target' ? target : w}/evidence`, body, contentType: type ?? `multipart/form-data; boundary=${boundary}` });
			}),
			{ numRuns: RUNS }
		);
	});

	it('GET /api/problems, its summary and the patients of a county page (query strings of every shape)', async () => {
		const key = fc.constantFrom('region', 'status', 'overdue', 'source', 'category', 'supervised', 'escalated', 'deadline_from', 'deadline_to', 'due_within', 'q', 'sort', 'limit', 'offset', 'format', 'level');
		const value = fc.oneof(printable, region, day, fc.constantFrom('true', 'false', 'open,closed', '-deadline', 'xlsx', 'csv', '100000', '-1', '\u0000', 'county'));
		await fc.assert(
			fc.asyncProperty(fc.constantFrom('/api/problems', '/api/problems/summary', '/county/371424/patients', '/county/620102/patients'), fc.array(fc.tuple(fc.oneof(key, fc.constant('village')), value), { maxLength: 5 }), async (path, pairs) => {
				const { status, text } = await send({ method: 'GET', path: `${path}?${new URLSearchParams(pairs).toString()}`, cookie });
				expect(status, `${path} ${JSON.stringify(pairs)} → ${text.slice(0, 200)}`).toBeLessThan(500);
			}),
			{ numRuns: RUNS }
		);
	});
});
