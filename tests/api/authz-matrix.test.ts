import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, baseUrl, call, connect, login, subscribe, type Caller } from '../helpers/api';

/**
 * Every role × every endpoint and socket subscription, in scope and out of scope. An answer
 * out of scope carries nothing of the region asked for. Each new endpoint adds its rows here.
 */
interface Who {
	name: string;
	caller: () => Caller;
	inScope: string[];
	outOfScope: string[];
	admin: boolean;
	/** which flight-inspection teams it may see (四不两直: never a county's or a wall's) */
	teams: 'province' | 'own' | 'none';
}

const sql = appDatabase();
const callers: Record<string, Caller> = {};
let kioskToken = '';
let targetUser = 0;

// names of out-of-scope regions, which must never appear in an answer about them
const names = new Map<string, string>();

const who: Who[] = [
	{ name: 'admin', caller: () => callers.admin, inScope: ['370000', '371424', 'township-371424'], outOfScope: ['620000', '620102'], admin: true, teams: 'province' },
	{ name: 'leader', caller: () => callers.leader, inScope: ['370000', '371400', '371424'], outOfScope: ['620000', '640104'], admin: false, teams: 'province' },
	{ name: 'dispatcher', caller: () => callers.dispatcher, inScope: ['370000', '371424'], outOfScope: ['210000', '210102'], admin: false, teams: 'province' },
	{ name: 'officer-371424', caller: () => callers['officer-371424'], inScope: ['371424', 'township-371424'], outOfScope: ['371425', '371400', '370000', 'township-371425'], admin: false, teams: 'none' },
	{ name: 'inspector-1', caller: () => callers['inspector-1'], inScope: ['371402'], outOfScope: ['371424', '371400', '370000'], admin: false, teams: 'own' },
	{ name: 'kiosk(371400)', caller: () => ({ bearer: kioskToken }), inScope: ['371400', '371424'], outOfScope: ['370000', '371500', '371502'], admin: false, teams: 'none' }
];

// a township of 临邑县 and one of 齐河县, looked up once the data is there
const townships: Record<string, string> = {};
const resolve = (code: string) => townships[code] ?? code;

// a province or city is ranked by its counties, a county or township by its villages
const rankedLevel = (code: string) => (/^\d{4}00$/.test(code) ? 'county' : 'village');

const regionPaths = (code: string) => [
	`/api/regions/${code}`,
	`/api/regions/${code}/children`,
	`/api/regions/${code}/facilities`,
	// a page: a province's or city's villages are read a bounded page at a time
	`/api/indicators?region=${code}&level=village&limit=100`,
	`/api/rankings?region=${code}&level=${rankedLevel(code)}&indicator=gaps`,
	`/api/wall?region=${code}`,
	`/api/wall/overdue?region=${code}`
];

beforeAll(async () => {
	for (const county of ['371424', '371425']) {
		const [row] = await sql`select min(code) as code from region where county_code = ${county} and level = 'township'`;
		townships[`township-${county}`] = row.code;
	}
	for (const name of ['admin', 'leader', 'dispatcher', 'officer-371424', 'inspector-1']) callers[name] = { cookie: await login(name) };
	const token = await call('/api/kiosk-tokens', { ...callers.admin, method: 'POST', json: { name: '德州市大屏', region: '371400' } });
	expect(token.status).toBe(201);
	kioskToken = token.body.token;
	const target = await call('/api/users', { ...callers.admin, method: 'POST', json: { username: 'matrix-target', password: 'long enough password', role: 'leader', scope: '371400' } });
	targetUser = target.body.id;
	// the inspector's team is sent to 德城区: that county is all an inspector reads
	await sql`insert into assignment (team_id, county_code, starts_on, reason) values ('team-1', '371402', current_date, 'matrix')`;
	for (const row of await sql`select code, name from region where code in ${sql(who.flatMap((w) => w.outOfScope).map(resolve))}`) names.set(row.code, row.name);
});

afterAll(async () => {
	await sql`delete from assignment where reason = 'matrix'`;
	await sql.end();
});

describe.each(who)('$name', (w) => {
	it.each(w.inScope.flatMap(regionPaths))('reads %s', async (template) => {
		const path = template.replace(/township-\d{6}/, resolve);
		const { status } = await call(path, w.caller());
		expect(status).toBe(200);
	});

	it.each(w.outOfScope.flatMap(regionPaths))('is refused %s and learns nothing from the answer', async (template) => {
		const path = template.replace(/township-\d{6}/, resolve);
		const code = path.match(/\d{6,12}/)![0];
		const { status, text } = await call(path, w.caller());
		expect(status).toBe(403);
		expect(text).not.toContain(names.get(code)!);
		expect(text).not.toContain('"features"');
	});

	it('subscribes to its own regions and is refused others over the socket', async () => {
		const caller = w.caller();
		const socket = await connect(caller);
		try {
			for (const code of w.inScope) expect(await subscribe(socket, resolve(code))).toMatchObject({ ok: true });
			for (const code of w.outOfScope) {
				const ack = await subscribe(socket, resolve(code));
				expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
				expect(JSON.stringify(ack)).not.toContain(names.get(code)!);
			}
		} finally {
			socket.close();
		}
	});

	it(`sees ${w.teams === 'none' ? 'no' : w.teams === 'own' ? 'only its own' : "its province's"} flight-inspection teams`, async () => {
		const { status, body, text } = await call('/api/teams', w.caller());
		if (w.teams === 'none') {
			expect(status).toBe(403);
			expect(text).not.toMatch(/team-\d|飞行检查组/);
			return;
		}
		expect(status).toBe(200);
		const ids = body.items.map((team: { id: string }) => team.id);
		if (w.teams === 'own') expect(ids).toEqual(['team-1']);
		else {
			// the demo's six, and any other test file has made in the province meanwhile: none of another
			expect(ids).toEqual(expect.arrayContaining(['team-1', 'team-2', 'team-3', 'team-4', 'team-5', 'team-6']));
			expect(body.items.every((team: { homeRegion: string }) => team.homeRegion.startsWith('37'))).toBe(true);
		}
	});

	// refusals only: each item lies out of the poster's reach (another province's patient)
	const posts = ['dispatcher', 'officer-371424', 'inspector-1'].includes(w.name);
	it(`${posts ? 'may' : 'may not'} POST /api/events/batch, refused each item out of its reach`, async () => {
		const caller = w.caller();
		const [patient] = await sql`select id from patient where county_code like '62%' order by id limit 1`;
		const events = [{ type: 'patient.signed', payload: { patient: patient.id, date: '2020-03-02' }, key: `matrix-batch-${w.name}` }];
		const { status, body } = await call('/api/events/batch', { ...caller, method: 'POST', json: { events } });
		if (!posts) return expect(status).toBe(caller.bearer ? 401 : 403);
		expect(status).toBe(200);
		expect(body.items).toEqual([{ error: { code: 'forbidden', message: expect.any(String) } }]);
	});

	const adminPaths: [string, string, unknown?][] = [
		['GET', '/api/users'],
		['POST', '/api/users', { username: `matrix-${w.name.replace(/[^a-z0-9]/g, '')}`, password: 'long enough password', role: 'leader', scope: '370000' }],
		['PATCH', '/api/users/{target}', { disabled: false }],
		['GET', '/api/kiosk-tokens'],
		['POST', '/api/kiosk-tokens', { name: 'matrix', region: '370000' }],
		['GET', '/api/audit']
	];
	it.each(adminPaths)(`${w.admin ? 'may' : 'may not'} %s %s`, async (method, path, json) => {
		const caller = w.caller();
		const { status } = await call(path.replace('{target}', String(targetUser)), { ...caller, method, json });
		if (w.admin) expect(status).toBeLessThan(300);
		// a kiosk token only reads: on a write it counts for nothing, so the caller is anonymous
		else expect(status).toBe(caller.bearer && method !== 'GET' ? 401 : 403);
	});
});

describe('anonymous', () => {
	it.each(['/api/me', '/api/regions/370000', '/api/regions/370000/children', '/api/indicators?region=370000&level=city', '/api/rankings?region=370000&level=county', '/api/wall?region=370000', '/api/wall/overdue?region=370000', '/api/users', '/api/audit'])(
		'gets 401 for %s',
		async (path) => {
			const { status, body } = await call(path);
			expect(status).toBe(401);
			expect(body.error.code).toBe('unauthenticated');
		}
	);

	it('reads the health check', async () => {
		expect((await call('/api/health')).status).toBe(200);
	});

	it('cannot open a socket', async () => {
		await expect(connect()).rejects.toThrow(/unauthenticated/);
	});
});

// ---- dispatch: teams, suggestions, assignments, findings, cross-inspection, weights, talks

/** Who reads the dispatch console: those who read sealed events (SPEC §4). */
const DISPATCH_READERS = new Set(['admin', 'leader', 'dispatcher']);

describe.each(who)('$name and the dispatch endpoints', (w) => {
	const reads = DISPATCH_READERS.has(w.name);
	const dispatchPaths = ['/api/dispatch/suggestions?region=370000', '/api/dispatch/counties/371424', '/api/dispatch/findings', '/api/dispatch/weights', '/api/cross-inspections?province=370000'];
	it.each(dispatchPaths)(`${reads ? 'reads' : 'is refused'} %s`, async (path) => {
		const { status, text } = await call(path, w.caller());
		expect(status).toBe(reads ? 200 : 403);
		if (!reads) expect(text).not.toMatch(/team-\d|飞行检查组|nearestTeam|"score"/);
	});

	it.each(['/api/dispatch/suggestions?region=620000', '/api/dispatch/counties/620102', '/api/dispatch/weights?province=620000', '/api/cross-inspections?province=620000'])(
		'is refused %s of another province, learning nothing',
		async (path) => {
			const { status, text } = await call(path, w.caller());
			expect(status).toBe(403);
			expect(text).not.toMatch(/兰州|城关|"items"/);
		}
	);

	const teamOne = w.teams !== 'none';
	const teamTwo = w.teams === 'province';
	it.each([
		['/api/teams/team-1', teamOne],
		['/api/teams/team-1/findings', teamOne],
		['/api/teams/team-2', teamTwo],
		['/api/teams/team-7', false]
	] as const)('reads %s: %s', async (path, allowed) => {
		const { status, body, text } = await call(path, w.caller());
		expect(status).toBe(allowed ? 200 : 403);
		if (!allowed) {
			// the same refusal whether the team exists, is another province's, or is there at all
			expect(body).toEqual((await call('/api/teams/team-nowhere', w.caller())).body);
			expect(text).not.toMatch(/飞行检查组/);
		}
	});

	// page data: what a page's load hands the browser (SvelteKit's __data.json), refused in the page's own error node
	it.each([
		['/dispatch/__data.json', reads],
		['/inspect/__data.json', w.teams === 'own']
	] as const)('gets the page data of %s: %s', async (path, allowed) => {
		const { status, text } = await call(path, w.caller());
		expect(status).toBe(200);
		if (allowed) expect(text).not.toMatch(/"type":"error"/);
		else {
			expect(text).toMatch(/"type":"error".*"status":403/);
			expect(text).not.toMatch(/team-\d|飞行检查组/);
		}
	});

	it(`${w.inScope.includes('371424') ? 'reads' : 'is refused'} the talks of 临邑县`, async () => {
		expect((await call('/api/talks?region=371424', w.caller())).status).toBe(w.inScope.includes('371424') ? 200 : 403);
	});

	// refusals only: a successful write would send the demo's teams about under the other test files
	const writes: [string, string, unknown, string[]][] = [
		['POST', '/api/teams', { name: '矩阵组', home_region: '370000' }, ['admin', 'dispatcher']],
		['PATCH', '/api/teams/team-2', { name: '矩阵组' }, ['admin', 'dispatcher']],
		['POST', '/api/teams/team-2/assignments', { county: '371424' }, ['dispatcher']],
		['PATCH', '/api/teams/team-2/assignments/1', { status: 'cancelled' }, ['dispatcher']],
		['POST', '/api/teams/team-2/status', { status: 'off_duty' }, ['dispatcher']],
		['POST', '/api/teams/team-2/findings', { region: '371424', category: 'clinic', description: '矩阵' }, []],
		['POST', '/api/cross-inspections', { province: '370000' }, ['dispatcher']],
		['PUT', '/api/dispatch/weights', { overdue: 1 }, ['admin']]
	];
	it.each(writes.filter(([, , , allowed]) => !allowed.includes(w.name)))('may not %s %s', async (method, path, json) => {
		const caller = w.caller();
		const { status } = await call(path, { ...caller, method, json, headers: { 'idempotency-key': `matrix-${w.name}-${path}` } });
		expect(status).toBe(caller.bearer ? 401 : 403);
	});
});

// ---- 四不两直: an unannounced inspection never reaches its target county, by any path it has

describe('an unannounced inspection, seen from the county it is sent to', () => {
	const tag = Math.random().toString(36).slice(2, 7);
	const COUNTY = '620122'; // 皋兰县, which no other test file sends a team to
	const names = { dispatcher: `disp-gs-${tag}`, officer: `officer-gl-${tag}`, inspector: `insp-gs-${tag}` };
	const teamName = `皋兰暗访组${tag}`;
	let dispatcher: Caller;
	let officer: Caller;
	let inspector: Caller;
	let team = '';
	let assignment = 0;
	let head = 0;
	let socket: Awaited<ReturnType<typeof connect>>;
	const received: { seq: number; type: string; actor: string | null; payload: unknown; path: unknown }[] = [];

	/** Everything the county officer can read, by every path it has, minus the clock. */
	async function officerView() {
		const paths = [
			`/api/events?region=${COUNTY}&after=${head}&limit=1000`,
			`/api/regions/${COUNTY}`,
			`/api/regions/${COUNTY}/children`,
			`/api/regions/${COUNTY}/facilities`,
			`/api/indicators?region=${COUNTY}&level=village`,
			`/api/wall?region=${COUNTY}`,
			`/api/wall/overdue?region=${COUNTY}`,
			`/api/talks?region=${COUNTY}`,
			'/api/me',
			'/api/teams',
			`/api/teams/${team}`,
			'/api/dispatch/suggestions',
			`/api/dispatch/counties/${COUNTY}`,
			'/api/dispatch/findings',
			// the ledger and its exports, the roll-up
			`/api/problems?region=${COUNTY}&limit=200`,
			`/api/problems?region=${COUNTY}&format=csv`,
			`/api/problems?region=${COUNTY}&format=xlsx`,
			`/api/problems/summary?region=${COUNTY}&level=township`,
			`/api/exports/problems?region=${COUNTY}`,
			// page data of the pages it may open, and of those it may not
			'/__data.json',
			'/wall/__data.json',
			`/county/${COUNTY}/__data.json`,
			`/problems/__data.json?region=${COUNTY}`,
			'/dispatch/__data.json',
			'/inspect/__data.json'
		];
		const view: Record<string, unknown> = {};
		for (const path of paths) {
			const res = await fetch(`${baseUrl()}${path}`, { headers: { cookie: officer.cookie! } });
			const bytes = new Uint8Array(await res.arrayBuffer());
			// an xlsx file is a zip that stamps its own creation time: its rows are what it says
			const text = path.includes('xlsx') && res.ok ? await sheetRows(bytes) : new TextDecoder().decode(bytes);
			// the clock moves by itself: the wall's server time is no news
			view[path] = [res.status, text.replace(/"serverTime":"[^"]+"/, '')];
		}
		return view;
	}

	/** The cells of an xlsx file's first sheet, as text. */
	async function sheetRows(bytes: Uint8Array): Promise<string> {
		const { default: ExcelJS } = await import('exceljs');
		const book = new ExcelJS.Workbook();
		await book.xlsx.load(bytes.buffer as ArrayBuffer);
		const rows: unknown[] = [];
		book.worksheets[0].eachRow((row) => rows.push(row.values));
		return JSON.stringify(rows);
	}

	const mentions = (text: string) => [team, teamName, names.inspector, names.dispatcher, `"assignment"`, 'team'].filter((word) => text.includes(word));

	beforeAll(async () => {
		const { createAccount, ACCOUNT_PASSWORD } = await import('../helpers/accounts');
		await createAccount(sql, names.dispatcher, 'dispatcher', { region: '620000' });
		await createAccount(sql, names.officer, 'county_officer', { region: COUNTY });
		await createAccount(sql, names.inspector, 'inspector', { team: 'team-7' });
		dispatcher = { cookie: await login(names.dispatcher, ACCOUNT_PASSWORD, '127.0.41.1') };
		officer = { cookie: await login(names.officer, ACCOUNT_PASSWORD, '127.0.41.2') };
		const created = await call('/api/teams', { ...dispatcher, method: 'POST', json: { name: teamName, home_region: '620100', members: [names.inspector] } });
		expect(created.status).toBe(201);
		team = created.body.id;
		inspector = { cookie: await login(names.inspector, ACCOUNT_PASSWORD, '127.0.41.3') };
		[{ head }] = await sql`select coalesce(max(seq), 0)::int as head from event`;
		// the county's own session and live stream, open the whole time
		socket = await connect(officer);
		socket.on('event', (event) => received.push(event as never));
		expect(await subscribe(socket, COUNTY, head)).toMatchObject({ ok: true });
	});

	afterAll(() => {
		socket?.close();
	});

	it('reads nothing of the assignment, the team on its way or on site: every answer as before', async () => {
		const before = await officerView();
		const [village] = await sql`select code, st_x(point) as lon, st_y(point) as lat from region where county_code = ${COUNTY} and level = 'village' order by code limit 1`;
		const sent = await call(`/api/teams/${team}/assignments`, { ...dispatcher, method: 'POST', json: { county: COUNTY, places: [village.code], reason: '系统显示问题较多' } });
		expect(sent.status).toBe(201);
		assignment = sent.body.id;
		expect((await call(`/api/teams/${team}/status`, { ...inspector, method: 'POST', json: { lon: village.lon, lat: village.lat } })).status).toBe(201);
		expect((await call(`/api/teams/${team}/status`, { ...inspector, method: 'POST', json: { status: 'inspecting', lon: village.lon, lat: village.lat } })).status).toBe(201);
		// the dispatcher and the team see it
		expect((await call(`/api/teams/${team}`, inspector)).body.assignment).toMatchObject({ id: assignment, county: { code: COUNTY } });
		await new Promise((r) => setTimeout(r, 500));
		expect(await officerView()).toEqual(before);
		expect(received).toEqual([]);
		// a replay from before it all holds nothing either
		const again = await connect(officer);
		const replayed: unknown[] = [];
		again.on('event', (event) => replayed.push(event));
		expect(await subscribe(again, COUNTY, head)).toMatchObject({ ok: true, replayed: 0 });
		await new Promise((r) => setTimeout(r, 300));
		again.close();
		expect(replayed).toEqual([]);
	});

	it('is refused the team and its work with the answer a team that does not exist gets', async () => {
		for (const [method, path, json] of [
			['GET', `/api/teams/${team}`, undefined],
			['GET', `/api/teams/${team}/findings`, undefined],
			['POST', `/api/teams/${team}/findings`, { region: COUNTY, category: 'clinic', description: '自查' }],
			['POST', `/api/teams/${team}/status`, { status: 'reporting' }],
			['PATCH', `/api/teams/${team}/assignments/${assignment}`, { status: 'done' }]
		] as const) {
			const real = await call(path, { ...officer, method, json });
			const none = await call(path.replace(team, 'team-nowhere').replace(String(assignment), '424242'), { ...officer, method, json });
			expect([real.status, real.body]).toEqual([none.status, none.body]);
			expect(real.status).toBe(403);
		}
	});

	it("receives the problem a finding makes, live and in the replay, with nothing of who found it", async () => {
		const [village] = await sql`select code from region where county_code = ${COUNTY} and level = 'village' order by code desc limit 1`;
		const finding = await call(`/api/teams/${team}/findings`, {
			...inspector,
			method: 'POST',
			json: { region: village.code, category: 'doctor', description: `村医未在岗 ${tag}` },
			headers: { 'idempotency-key': `unannounced-${tag}` }
		});
		expect(finding.status).toBe(201);
		const problem = finding.body.problem.id;
		await expect.poll(() => received.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
		await new Promise((r) => setTimeout(r, 300));
		expect(received.map((e) => e.type)).toEqual(['problem.created', 'indicators.changed']);
		expect(received[0].payload).toMatchObject({ problem, source: 'inspection', region: village.code });
		for (const event of received) {
			expect(event.actor).toBeNull();
			expect(mentions(JSON.stringify(event))).toEqual([]);
		}
		const replay = await call(`/api/events?region=${COUNTY}&after=${head}&limit=1000`, officer);
		expect(replay.body.items.map((e: { seq: number }) => e.seq)).toEqual(received.map((e) => e.seq));
		expect(mentions(replay.text)).toEqual([]);
		// the ledger, its export and the wall count it, with nothing of who found it
		const wall = await call(`/api/wall?region=${COUNTY}`, officer);
		expect(mentions(wall.text)).toEqual([]);
		const listed = await call(`/api/problems?region=${COUNTY}&limit=200`, officer);
		expect(listed.body.items.some((p: { id: number }) => p.id === problem)).toBe(true);
		expect(mentions(listed.text)).toEqual([]);
		const csv = await call(`/api/problems?region=${COUNTY}&format=csv`, officer);
		expect(csv.text).toContain(`村医未在岗 ${tag}`);
		expect(mentions(csv.text)).toEqual([]);
		const item = await call(`/api/problems/${problem}`, officer);
		expect(item.status).toBe(200);
		expect(mentions(item.text)).toEqual([]);
		for (const path of ['/api/teams', '/api/dispatch/findings', `/api/dispatch/counties/${COUNTY}`]) {
			const { status, text } = await call(path, officer);
			expect(status).toBe(403);
			expect(mentions(text)).toEqual([]);
		}
	});
});

// ---- imports and exports (admin only; every code of a file inside the admin's scope)
describe.each(who)('imports and exports: $name', (w) => {
	const register = (village: string) => `患者编号,村代码,类别,疾病\r\nMATRIX${w.name.replace(/[^a-z0-9]/g, '').slice(0, 10)},${village},慢病,高血压\r\n`;
	const post = async (path: string, text: string) => {
		const caller = w.caller();
		const headers: Record<string, string> = { 'content-type': 'text/csv' };
		if (caller.cookie) headers.cookie = caller.cookie;
		if (caller.bearer) headers.authorization = `Bearer ${caller.bearer}`;
		const res = await fetch(`${baseUrl()}${path}`, { method: 'POST', headers, body: text });
		return { status: res.status, text: await res.text() };
	};
	const refused = (caller: Caller, method: string) => (caller.bearer && method !== 'GET' ? 401 : 403);

	it(`${w.admin ? 'may' : 'may not'} import a file (a dry run)`, async () => {
		const [village] = await sql`select code from region where county_code = '371424' and level = 'village' order by code limit 1`;
		const { status } = await post('/api/imports/patients?dry_run=1', register(village.code));
		expect(status).toBe(w.admin ? 200 : refused(w.caller(), 'POST'));
	});

	it.each(['/api/imports', '/api/imports/templates/villages?format=csv', '/api/exports/patients?region=371424', '/admin/regions?q=临邑'])(`${w.admin ? 'may' : 'may not'} read %s`, async (path) => {
		const { status } = await call(path, w.caller());
		expect(status).toBe(w.admin ? 200 : 403);
	});

	if (w.admin) {
		it('is refused an export outside its scope, learning nothing of it', async () => {
			for (const code of w.outOfScope) {
				const { status, text } = await call(`/api/exports/villages?region=${resolve(code)}`, w.caller());
				expect(status).toBe(403);
				expect(text).not.toContain(names.get(resolve(code))!);
			}
		});

		it('is refused a file naming a village outside its scope, learning nothing of it', async () => {
			const [village] = await sql`select v.code, c.name from region v join region c on c.code = v.county_code where v.province_code = '620000' and v.level = 'village' limit 1`;
			const { status, text } = await post('/api/imports/patients?dry_run=1', register(village.code));
			expect(status).toBe(422);
			expect(text).toContain('不在您的管辖范围内');
			expect(text).not.toContain(village.name);
		});

		it('finds regions by name only inside its scope', async () => {
			const inside = await call(`/admin/regions?q=${encodeURIComponent('临邑')}`, w.caller());
			expect(inside.body.items.map((r: { code: string }) => r.code)).toContain('371424');
			const outside = await call(`/admin/regions?q=${encodeURIComponent('兰州')}`, w.caller());
			expect(outside.body.items).toEqual([]);
		});
	}
});

// The problem ledger (问题台账): list, exports, roll-up, item, evidence. An item out of scope answers
// as one that does not exist; a region out of scope as the region endpoints do.
describe('the problem ledger', () => {
	const counties = ['371424', '371425', '371402', '620102'];
	const reads: Record<string, string[]> = {
		admin: ['371424', '371425', '371402'],
		leader: ['371424', '371425', '371402'],
		dispatcher: ['371424', '371425', '371402'],
		'officer-371424': ['371424'],
		'inspector-1': ['371402'],
		'kiosk(371400)': ['371424', '371425', '371402']
	};
	const problemOf: Record<string, number> = {};
	const fileOf: Record<string, number> = {};
	const ledgerDb = appDatabase();

	beforeAll(async () => {
		for (const county of counties) {
			const [row] = await ledgerDb`select id from problem where county_code = ${county} order by id limit 1`;
			problemOf[county] = row.id;
			const [file] = await ledgerDb`
				insert into problem_evidence (problem_id, name, media_type, size, sha256, content, uploaded_by)
				values (${row.id}, 'matrix.png', 'image/png', 8, 'matrix', ${Buffer.from('89504e470d0a1a0a', 'hex')}, 'matrix') returning id`;
			fileOf[county] = file.id;
		}
	});
	afterAll(async () => {
		await ledgerDb`delete from problem_evidence where uploaded_by = 'matrix'`;
		await ledgerDb.end();
	});

	describe.each(who)('$name', (w) => {
		const ledgerPaths = (code: string) => [`/api/problems?region=${code}`, `/api/problems?region=${code}&format=csv`, `/api/problems?region=${code}&format=xlsx`, `/api/problems/summary?region=${code}`];

		it.each(w.inScope.filter((c) => /^\d{6}$/.test(c)).flatMap(ledgerPaths))('reads %s', async (path) => {
			expect((await call(path, w.caller())).status).toBe(200);
		});

		it.each(w.outOfScope.filter((c) => /^\d{6}$/.test(c)).flatMap(ledgerPaths))('is refused %s and learns nothing from the answer', async (path) => {
			const code = path.match(/\d{6}/)![0];
			const { status, text } = await call(path, w.caller());
			expect(status).toBe(403);
			expect(text).not.toContain(names.get(code)!);
		});

		it.each(counties)('reads the item and the evidence of %s only inside its scope', async (county) => {
			const item = await call(`/api/problems/${problemOf[county]}`, w.caller());
			const file = await call(`/api/evidence/${fileOf[county]}`, w.caller());
			if (reads[w.name].includes(county)) {
				expect(item.status).toBe(200);
				expect(item.body.county.code).toBe(county);
				expect(file.status).toBe(200);
			} else {
				expect(item.status).toBe(404);
				expect(item.text).toBe((await call('/api/problems/999999999', w.caller())).text);
				expect(file.status).toBe(404);
			}
		});

		it.each(['371424', '371425'])('reads the patients of a village of %s for the progress forms only inside its scope', async (county) => {
			const [village] = await ledgerDb`select code from region where county_code = ${county} and level = 'village' order by code limit 1`;
			const res = await call(`/county/${county}/patients?village=${village.code}`, w.caller());
			// only those who report progress, inside their scope
			const reports = ['dispatcher', 'officer-371424'].includes(w.name) && reads[w.name].includes(county);
			if (reports) expect(res.status).toBe(200);
			else {
				expect(res.status).toBe(403);
				expect(res.text).not.toMatch(/"id"/);
			}
		});

		it('may register a problem only as a county office, a city or the dispatcher, inside its scope', async () => {
			const deadline = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
			const json = { region: '371424', category: 'other', source: 'audit', description: '授权矩阵', deadline, responsible_unit: '单位', responsible_leader: '领导' };
			const { status } = await call('/api/problems', { ...w.caller(), method: 'POST', json });
			const expected: Record<string, number> = { admin: 403, leader: 403, dispatcher: 201, 'officer-371424': 201, 'inspector-1': 403, 'kiosk(371400)': 401 };
			expect(status).toBe(expected[w.name]);
		});
	});

	it('gives an anonymous caller 401 on every ledger path', async () => {
		for (const path of ['/api/problems', '/api/problems/summary', `/api/problems/${problemOf['371424']}`, `/api/evidence/${fileOf['371424']}`]) {
			expect((await call(path)).status).toBe(401);
		}
	});
});
