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
	`/api/indicators?region=${code}&level=village`,
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
		else expect(ids).toEqual(['team-1', 'team-2', 'team-3', 'team-4', 'team-5', 'team-6']);
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
