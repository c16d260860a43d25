import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_PASSWORD, createAccount } from '../helpers/accounts';
import { appDatabase, baseUrl, call, login, type Caller } from '../helpers/api';
import { csv, upload } from '../helpers/imports';

/**
 * Who may grant what, for which scope: accounts (made, changed, reset), kiosk tokens, imports,
 * teams and assignments, each by every role, inside the granter's scope (山东省) and outside it
 * (甘肃省, whether or not the region exists). A grant outside is refused with a 4xx in the
 * contract's shape, and nothing is written: no row, no audit entry. Admins are scoped to a
 * province only (SPEC §6), so no admin holds less than a province and none can grant above it;
 * that a granter never grants wider than they hold is `grantable`'s (tests/unit/grants.test.ts).
 */
const sql = appDatabase();
const run = Math.random().toString(36).slice(2, 7);
const callers: Record<string, Caller> = {};

type Actor = 'admin' | 'made-admin' | 'leader' | 'dispatcher' | 'officer-371424' | 'inspector-1' | 'kiosk';
const ACTORS: Actor[] = ['admin', 'made-admin', 'leader', 'dispatcher', 'officer-371424', 'inspector-1', 'kiosk'];
const ADMINS: Actor[] = ['admin', 'made-admin'];

// 甘肃省's own accounts, token and team, made by 甘肃省's own admin and dispatcher
const gansu = { leader: 0, token: 0, team: '', inspector: `grants-gs-insp-${run}`, admin: {} as Caller, dispatcher: {} as Caller };
let target = 0; // a 山东省 account every admin may change
let seq = 0;
const unique = (what: string) => `g${run}-${what}-${++seq}`;

/** A form action of the admin pages, as the browser's enhanced form posts it; its own outcome's status. */
async function action(caller: Caller, path: string, fields: Record<string, string>) {
	const res = await fetch(`${baseUrl()}${path}`, {
		method: 'POST',
		headers: { cookie: caller.cookie ?? '', origin: baseUrl(), accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'x-sveltekit-action': 'true' },
		body: new URLSearchParams(fields).toString(),
		redirect: 'manual'
	});
	const text = await res.text();
	if (res.status !== 200) return { status: res.status, text };
	const result = JSON.parse(text) as { type: string; status?: number };
	return { status: result.type === 'failure' || result.type === 'error' ? (result.status ?? 400) : 200, text };
}

const audited = async (where: { entity: string; id?: string | number; mentions?: string }) => {
	const rows = await sql`
		select 1 from audit_log where entity = ${where.entity}
			${where.id === undefined ? sql`` : sql`and entity_id = ${String(where.id)}`}
			${where.mentions === undefined ? sql`` : sql`and (after::text like ${`%${where.mentions}%`} or before::text like ${`%${where.mentions}%`})`}`;
	return rows.length;
};

/** How a grant is refused: 403, and 401 for a wall screen's token, which signs no write. */
const denied = (actor: Actor): [number, string] => (actor === 'kiosk' ? [401, 'unauthenticated'] : [403, 'forbidden']);

const expectRefused = (res: { status: number; body: any }, status: number, code: string) => {
	expect(res.status, JSON.stringify(res.body)).toBe(status);
	expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
};

beforeAll(async () => {
	for (const name of ['admin', 'leader', 'dispatcher', 'officer-371424', 'inspector-1']) callers[name] = { cookie: await login(name) };
	// a 山东省 admin made through the admin API: what it may grant is bounded the same way
	const made = await call('/api/users', { ...callers.admin, method: 'POST', json: { username: `grants-admin-${run}`, password: 'long enough password', role: 'admin', scope: '370000' } });
	expect(made.status).toBe(201);
	callers['made-admin'] = { cookie: await login(`grants-admin-${run}`, 'long enough password') };
	const token = await call('/api/kiosk-tokens', { ...callers.admin, method: 'POST', json: { name: `授权矩阵大屏 ${run}`, region: '371400' } });
	callers.kiosk = { bearer: token.body.token };

	await createAccount(sql, `grants-gs-admin-${run}`, 'admin', { region: '620000' });
	await createAccount(sql, `grants-gs-disp-${run}`, 'dispatcher', { region: '620000' });
	await createAccount(sql, `grants-gs-leader-${run}`, 'leader', { region: '620000' });
	const gsAdmin = (gansu.admin = { cookie: await login(`grants-gs-admin-${run}`, ACCOUNT_PASSWORD) });
	const gsDispatcher = (gansu.dispatcher = { cookie: await login(`grants-gs-disp-${run}`, ACCOUNT_PASSWORD) });
	const gsToken = await call('/api/kiosk-tokens', { ...gsAdmin, method: 'POST', json: { name: `甘肃授权大屏 ${run}`, region: '620000' } });
	expect(gsToken.status).toBe(201);
	gansu.token = gsToken.body.id;
	const gsTeam = await call('/api/teams', { ...gsDispatcher, method: 'POST', json: { name: `甘肃授权组${run}`, home_region: '620100' } });
	expect(gsTeam.status).toBe(201);
	gansu.team = gsTeam.body.id;
	await createAccount(sql, gansu.inspector, 'inspector', { team: gansu.team });
	[{ id: gansu.leader }] = await sql`select id from app_user where username = ${`grants-gs-leader-${run}`}`;

	const t = await call('/api/users', { ...callers.admin, method: 'POST', json: { username: `grants-target-${run}`, password: 'long enough password', role: 'leader', scope: '371400' } });
	target = t.body.id;
});

afterAll(async () => {
	await sql`delete from assignment where team_id = ${gansu.team}`;
	await sql.end();
});

describe('accounts', () => {
	// role, scope, and whether the scope lies inside 山东省
	const grants = () =>
		[
			['leader', '371400', true],
			['county_officer', '371424', true],
			['admin', '370000', true],
			['leader', '620000', false],
			['county_officer', '620102', false],
			['admin', '620000', false],
			['inspector', gansu.team, false],
			// no such region, outside: answered as outside, so nothing is learnt of 甘肃省
			['leader', '629999', false]
		] as const;

	it.each(ACTORS)('%s makes an account only inside its scope, and only as an admin', async (actor) => {
		for (const [role, scope, inside] of grants()) {
			const username = unique('u');
			const res = await call('/api/users', { ...callers[actor], method: 'POST', json: { username, password: 'long enough password', role, scope } });
			const [row] = await sql`select scope_region, scope_team from app_user where username = ${username}`;
			if (ADMINS.includes(actor) && inside) {
				expect(res.status, `${role} ${scope}: ${res.text}`).toBe(201);
				expect(row.scope_region ?? row.scope_team).toBe(scope);
				continue;
			}
			expectRefused(res, ...denied(actor));
			if (ADMINS.includes(actor)) expect(res.body.error.details).toEqual([{ field: 'scope', message: '不在本账号管辖范围内' }]);
			expect(row, `${actor} ${role} ${scope}`).toBeUndefined();
			expect(await audited({ entity: 'user', mentions: username })).toBe(0);
		}
	});

	it("an admin makes inspectors only of its own province's teams", async () => {
		const made = unique('i');
		const ok = await call('/api/users', { ...gansu.admin, method: 'POST', json: { username: made, password: 'long enough password', role: 'inspector', scope: gansu.team } });
		expect(ok.status, ok.text).toBe(201);
		const refused = unique('i');
		expectRefused(await call('/api/users', { ...gansu.admin, method: 'POST', json: { username: refused, password: 'long enough password', role: 'inspector', scope: 'team-2' } }), 403, 'forbidden');
		expect(await sql`select 1 from app_user where username = ${refused}`).toHaveLength(0);
		expect(await audited({ entity: 'user', mentions: refused })).toBe(0);
	});

	it('an admin is told a region inside its scope that does not exist or does not suit the role', async () => {
		for (const [role, scope] of [['leader', '379999'], ['leader', '371424'], ['county_officer', '371400'], ['inspector', 'team-999999']]) {
			const res = await call('/api/users', { ...callers.admin, method: 'POST', json: { username: unique('u'), password: 'long enough password', role, scope } });
			expectRefused(res, 422, 'invalid_scope');
		}
	});

	it.each(ADMINS)('%s changes an account inside its scope, never to a scope outside it', async (actor) => {
		const ok = await call(`/api/users/${target}`, { ...callers[actor], method: 'PATCH', json: { role: 'leader', scope: '371300' } });
		expect(ok.status, ok.text).toBe(200);
		const [before] = await sql`select role, scope_region, password_hash from app_user where id = ${target}`;
		const audits = await audited({ entity: 'user', id: target });
		for (const change of [{ scope: '620000' }, { role: 'county_officer', scope: '620102' }, { role: 'admin', scope: '620000' }, { role: 'inspector', scope: gansu.team }]) {
			expectRefused(await call(`/api/users/${target}`, { ...callers[actor], method: 'PATCH', json: change }), 403, 'forbidden');
		}
		expect((await sql`select role, scope_region, password_hash from app_user where id = ${target}`)[0]).toEqual(before);
		expect(await audited({ entity: 'user', id: target })).toBe(audits);
	});

	it.each(ADMINS)('%s cannot change, reset, disable, describe or see an account outside its scope', async (actor) => {
		const [before] = await sql`select role, scope_region, disabled, password_hash, full_name from app_user where id = ${gansu.leader}`;
		for (const change of [{ password: 'a new long password' }, { disabled: true }, { role: 'leader', scope: '371400' }, { scope: '620100' }]) {
			expectRefused(await call(`/api/users/${gansu.leader}`, { ...callers[actor], method: 'PATCH', json: change }), 404, 'not_found');
		}
		const cookie = callers[actor];
		expect((await action(cookie, '/admin?/password', { id: String(gansu.leader), password: 'a new long password' })).status).toBe(404);
		expect((await action(cookie, '/admin?/toggle', { id: String(gansu.leader), disabled: 'true' })).status).toBe(404);
		expect((await action(cookie, '/admin?/update', { id: String(gansu.leader), role: 'leader', scope: '371400' })).status).toBe(404);
		expect((await action(cookie, '/admin?/details', { id: String(gansu.leader), full_name: '越权' })).status).toBe(404);
		expect((await sql`select role, scope_region, disabled, password_hash, full_name from app_user where id = ${gansu.leader}`)[0]).toEqual(before);
		expect(await audited({ entity: 'user', id: gansu.leader })).toBe(0);
		const listed = await call('/api/users', cookie);
		expect(listed.status).toBe(200);
		expect(listed.body.items.map((u: { username: string }) => u.username)).not.toContain(`grants-gs-leader-${run}`);
		expect(listed.body.items.every((u: { scope_region: string | null }) => u.scope_region === null || u.scope_region.startsWith('37'))).toBe(true);
	});

	it.each(ADMINS)("%s's admin form makes and moves accounts only inside its scope", async (actor) => {
		const made = unique('f');
		expect((await action(callers[actor], '/admin?/create', { username: made, password: 'long enough password', role: 'leader', scope: '371400' })).status).toBe(200);
		const outside = unique('f');
		expect((await action(callers[actor], '/admin?/create', { username: outside, password: 'long enough password', role: 'leader', scope: '620000' })).status).toBe(403);
		expect(await sql`select 1 from app_user where username = ${outside}`).toHaveLength(0);
		expect(await audited({ entity: 'user', mentions: outside })).toBe(0);
		const audits = await audited({ entity: 'user', id: target });
		expect((await action(callers[actor], '/admin?/update', { id: String(target), role: 'leader', scope: '620000' })).status).toBe(403);
		expect((await sql`select scope_region from app_user where id = ${target}`)[0].scope_region).toBe('371300');
		expect(await audited({ entity: 'user', id: target })).toBe(audits);
	});
});

describe('kiosk tokens', () => {
	const regions = [
		['371400', true],
		['370000', true],
		['620000', false],
		['620102', false],
		['629999', false]
	] as const;

	it.each(ACTORS)('%s makes a token only for a region inside its scope, and only as an admin', async (actor) => {
		for (const [region, inside] of regions) {
			const name = unique('k');
			const res = await call('/api/kiosk-tokens', { ...callers[actor], method: 'POST', json: { name, region } });
			const rows = await sql`select region_code from kiosk_token where name = ${name}`;
			if (ADMINS.includes(actor) && inside) {
				expect(res.status, res.text).toBe(201);
				expect(rows).toEqual([{ region_code: region }]);
				continue;
			}
			expectRefused(res, ...denied(actor));
			expect(rows, `${actor} ${region}`).toHaveLength(0);
			expect(await audited({ entity: 'kiosk_token', mentions: name })).toBe(0);
		}
	});

	it.each(ADMINS)("%s's admin form makes a token only inside its scope", async (actor) => {
		const name = unique('kf');
		expect((await action(callers[actor], '/admin/kiosk?/create', { name, region: '620000' })).status).toBe(403);
		expect(await sql`select 1 from kiosk_token where name = ${name}`).toHaveLength(0);
		expect(await audited({ entity: 'kiosk_token', mentions: name })).toBe(0);
	});

	it.each(ADMINS)('%s neither sees nor revokes a token outside its scope', async (actor) => {
		expectRefused(await call(`/api/kiosk-tokens/${gansu.token}`, { ...callers[actor], method: 'DELETE' }), 404, 'not_found');
		expect((await action(callers[actor], '/admin/kiosk?/revoke', { id: String(gansu.token) })).status).toBe(404);
		expect((await sql`select revoked_at from kiosk_token where id = ${gansu.token}`)[0].revoked_at).toBeNull();
		expect(await audited({ entity: 'kiosk_token', id: gansu.token })).toBe(1); // its making, by 甘肃省's admin
		const listed = await call('/api/kiosk-tokens', callers[actor]);
		expect(listed.body.items.map((t: { id: number }) => t.id)).not.toContain(gansu.token);
		expect(listed.body.items.every((t: { region: string }) => t.region.startsWith('37'))).toBe(true);
	});
});

describe('imports', () => {
	const HEADER = ['患者编号', '村代码', '类别', '疾病', '识别日期', '救治日期', '签约日期', '随访日期', '参保'];
	const file = (village: string, id: string) => csv([HEADER, [id, village, '慢病', '高血压', '2020-01-01', '', '', '', '是']]);
	let inside = '';
	let outside = '';
	beforeAll(async () => {
		[{ code: inside }] = await sql`select code from region where level = 'village' and county_code = '371424' order by code limit 1`;
		[{ code: outside }] = await sql`select code from region where level = 'village' and province_code = '620000' order by code limit 1`;
	});

	it.each(ACTORS.filter((a) => a !== 'kiosk'))('%s imports rows only of regions inside its scope, and only as an admin', async (actor) => {
		const cookie = callers[actor].cookie!;
		const ok = await upload('patients', file(inside, `GR${run}${++seq}`), { cookie, dryRun: true });
		const id = `GR${run}${++seq}`;
		const refused = await upload('patients', file(outside, id), { cookie });
		if (ADMINS.includes(actor)) {
			expect(ok.status, ok.text).toBe(200);
			expect(refused.status).toBe(422);
			expect(refused.body.error.details).toEqual([expect.objectContaining({ row: 2, message: expect.stringContaining('不在您的管辖范围内') })]);
		} else {
			expectRefused({ status: ok.status, body: ok.body }, 403, 'forbidden');
			expectRefused({ status: refused.status, body: refused.body }, 403, 'forbidden');
		}
		expect(await sql`select 1 from patient where id = ${id}`).toHaveLength(0);
	});
});

// Teams are set up and sent by 甘肃省's own admin and dispatcher (to 永登县, where no other test
// file sends a team): a new team of 山东省 would show on the demo's walls under the other test
// files. 山东省's accounts are only refused, and nothing of theirs is written.
describe('teams and assignments', () => {
	const MANAGERS: Actor[] = [...ADMINS, 'dispatcher'];
	const COUNTY = '620121'; // 永登县

	it.each(ACTORS)('%s sets up no team based outside its scope, nor as anyone but an admin or dispatcher', async (actor) => {
		for (const home of ['620100', '620000', '629999', ...(MANAGERS.includes(actor) ? [] : ['371400'])]) {
			const name = unique('t');
			const res = await call('/api/teams', { ...callers[actor], method: 'POST', json: { name, home_region: home } });
			if (MANAGERS.includes(actor)) {
				expectRefused(res, 422, 'invalid_fields');
				expect(res.body.error.details).toEqual([{ field: 'home_region', message: '驻地不在本账号管辖范围内' }]);
			} else expectRefused(res, ...denied(actor));
			expect(await sql`select 1 from team where name = ${name}`, `${actor} ${home}`).toHaveLength(0);
		}
		if (!MANAGERS.includes(actor)) return;
		// based inside, but an inspector of 甘肃省's team is not this province's to take
		const name = unique('t');
		const poached = await call('/api/teams', { ...callers[actor], method: 'POST', json: { name, home_region: '371400', members: [gansu.inspector] } });
		expectRefused(poached, 422, 'invalid_fields');
		expect(await sql`select 1 from team where name = ${name}`).toHaveLength(0);
		expect((await sql`select scope_team from app_user where username = ${gansu.inspector}`)[0].scope_team).toBe(gansu.team);
	});

	it.each(['gs-admin', 'gs-dispatcher'])('%s (甘肃省) sets up a team based inside its scope, not in 山东省', async (who) => {
		const caller = who === 'gs-admin' ? gansu.admin : gansu.dispatcher;
		const name = unique('t');
		const made = await call('/api/teams', { ...caller, method: 'POST', json: { name, home_region: '620102' } });
		expect(made.status, made.text).toBe(201);
		expect((await sql`select home_region from team where id = ${made.body.id}`)[0].home_region).toBe('620102');
		for (const home of ['370000', '371400', '379999']) {
			const name = unique('t');
			expectRefused(await call('/api/teams', { ...caller, method: 'POST', json: { name, home_region: home } }), 422, 'invalid_fields');
			expect(await sql`select 1 from team where name = ${name}`).toHaveLength(0);
		}
	});

	it.each(ACTORS)("%s may not change another province's team, nor move its own province's out", async (actor) => {
		const res = await call(`/api/teams/${gansu.team}`, { ...callers[actor], method: 'PATCH', json: { name: unique('x') } });
		expectRefused(res, ...denied(actor));
		expect((await sql`select name from team where id = ${gansu.team}`)[0].name).toBe(`甘肃授权组${run}`);
		const [before] = await sql`select name, home_region from team where id = 'team-2'`;
		const moved = await call('/api/teams/team-2', { ...callers[actor], method: 'PATCH', json: { home_region: '620100' } });
		if (MANAGERS.includes(actor)) expectRefused(moved, 422, 'invalid_fields');
		else expectRefused(moved, ...denied(actor));
		expect((await sql`select name, home_region from team where id = 'team-2'`)[0]).toEqual(before);
	});

	const assignments = async () => (await sql`select count(*)::int as n from assignment where team_id in ('team-2', ${gansu.team})`)[0].n;

	it.each(ACTORS)('%s sends no team to a county outside its scope, nor as anyone but a dispatcher', async (actor) => {
		const before = await assignments();
		const post = (id: string, county: string) => call(`/api/teams/${id}/assignments`, { ...callers[actor], method: 'POST', json: { county, reason: '授权矩阵' } });
		for (const county of ['620102', '629999']) {
			const res = await post('team-2', county);
			if (actor === 'dispatcher') {
				expectRefused(res, 422, 'invalid_fields');
				expect(res.body.error.details).toEqual([{ field: 'payload.county', message: '该县不在本省范围内' }]);
			} else expectRefused(res, ...denied(actor));
		}
		expectRefused(await post(gansu.team, COUNTY), ...denied(actor));
		if (actor !== 'dispatcher') expectRefused(await post('team-2', '371424'), ...denied(actor));
		expect(await assignments()).toBe(before);
	});

	it("甘肃省's dispatcher sends its team inside its scope, not to 山东省; its admin sends none", async () => {
		const before = await assignments();
		const post = (caller: Caller, county: string) => call(`/api/teams/${gansu.team}/assignments`, { ...caller, method: 'POST', json: { county, reason: '授权矩阵' } });
		for (const county of ['371424', '379999']) expectRefused(await post(gansu.dispatcher, county), 422, 'invalid_fields');
		expectRefused(await post(gansu.admin, COUNTY), 403, 'forbidden');
		expect(await assignments()).toBe(before);
		const sent = await post(gansu.dispatcher, COUNTY);
		expect(sent.status, sent.text).toBe(201);
		expect(await sql`select county_code from assignment where id = ${sent.body.id}`).toEqual([{ county_code: COUNTY }]);
	});
});
