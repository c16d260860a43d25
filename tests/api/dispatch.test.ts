// The dispatch console's API on the demo data of 宁夏 (640000), through accounts of this file's
// own: teams and their rosters, suggestions, assignments, findings, cross-inspection, weights
// and talks. No other test file sends teams in 640000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, baseUrl, call, login, type Caller } from '../helpers/api';
import { ACCOUNT_PASSWORD, createAccount } from '../helpers/accounts';

const sql = appDatabase();
const suffix = Math.random().toString(36).slice(2, 7);
const name = (role: string) => `${role}-nx-${suffix}`;
const COUNTY = '640122'; // 贺兰县
const OTHER = '640121'; // 永宁县
const who: Record<string, Caller> = {};
let team = '';

const as = (caller: Caller, method: string, json?: unknown, headers: Record<string, string> = {}) => ({ ...caller, method, json, headers });

beforeAll(async () => {
	await createAccount(sql, name('dispatcher'), 'dispatcher', { region: '640000' });
	await createAccount(sql, name('admin'), 'admin', { region: '640000' });
	await createAccount(sql, name('officer'), 'county_officer', { region: COUNTY });
	await createAccount(sql, name('leader'), 'leader', { region: '640100' });
	await createAccount(sql, name('inspector'), 'inspector', { team: 'team-11' });
	let address = 40;
	for (const role of ['dispatcher', 'admin', 'officer', 'leader']) who[role] = { cookie: await login(name(role), ACCOUNT_PASSWORD, `127.0.40.${address++}`) };
});

afterAll(async () => {
	await sql.end();
});

describe('teams', () => {
	it('are created by a dispatcher inside the province, with members who are inspector accounts', async () => {
		const created = await call('/api/teams', as(who.dispatcher, 'POST', { name: `宁夏暗访组${suffix}`, home_region: '640100', members: [name('inspector')], leader: name('inspector') }));
		expect(created.status).toBe(201);
		team = created.body.id;
		const shown = await call(`/api/teams/${team}`, who.dispatcher);
		expect(shown.status).toBe(200);
		expect(shown.body).toMatchObject({ id: team, status: 'idle', homeRegion: '640100', leader: name('inspector'), assignment: null });
		expect(shown.body.members).toEqual([{ username: name('inspector'), leader: true }]);
		who.inspector = { cookie: await login(name('inspector'), ACCOUNT_PASSWORD, '127.0.40.60') };
		const own = await call('/api/teams', who.inspector);
		expect(own.body.items.map((t: { id: string }) => t.id)).toEqual([team]);
	});

	it('refuse a base or a member outside the granter\'s scope, and everyone but an admin or dispatcher', async () => {
		const outside = await call('/api/teams', as(who.dispatcher, 'POST', { name: '越界组', home_region: '370100' }));
		expect(outside.status).toBe(422);
		expect(outside.body.error.details).toEqual([{ field: 'home_region', message: '驻地不在本账号管辖范围内' }]);
		const member = await call('/api/teams', as(who.dispatcher, 'POST', { name: '挖人组', home_region: '640000', members: ['inspector-1'] }));
		expect(member.body.error.details).toEqual([{ field: 'members.0', message: '没有该检查员账号，或其不在本省' }]);
		for (const caller of [who.officer, who.leader, who.inspector]) {
			expect((await call('/api/teams', as(caller, 'POST', { name: 'x', home_region: '640000' }))).status).toBe(403);
			expect((await call(`/api/teams/${team}`, as(caller, 'PATCH', { name: 'x' }))).status).toBe(403);
		}
		// a team of another province reads as one that does not exist
		const far = await call('/api/teams/team-1', who.dispatcher);
		const none = await call('/api/teams/team-99999', who.dispatcher);
		expect([far.status, far.body]).toEqual([none.status, none.body]);
		expect(far.status).toBe(403);
	});

	it('change by PATCH, status only by its allowed moves', async () => {
		const renamed = await call(`/api/teams/${team}`, as(who.admin, 'PATCH', { name: `宁夏一组${suffix}`, home: { lon: 106.3, lat: 38.5 } }));
		expect(renamed.status).toBe(200);
		expect(renamed.body).toMatchObject({ name: `宁夏一组${suffix}`, home: { lon: 106.3, lat: 38.5 } });
		const refused = await call(`/api/teams/${team}/status`, as(who.inspector, 'POST', { status: 'inspecting' }));
		expect(refused.status).toBe(409);
		expect(refused.body.error.code).toBe('invalid_move');
		const moved = await call(`/api/teams/${team}/status`, as(who.inspector, 'POST', { lon: 106.27, lat: 38.47 }));
		expect(moved.status).toBe(201);
		expect((await call(`/api/teams/${team}`, who.dispatcher)).body).toMatchObject({ lon: 106.27, lat: 38.47 });
	});
});

describe('suggestions', () => {
	it('rank every county of the province by score, with Chinese reasons and the nearest free team by PostGIS geography', async () => {
		const { status, body } = await call('/api/dispatch/suggestions?region=640000', who.dispatcher);
		expect(status).toBe(200);
		expect(body.total).toBe(22);
		expect(body.items).toHaveLength(22);
		const scores = body.items.map((s: { score: number }) => s.score);
		expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
		for (const item of body.items) {
			expect(Object.keys(item)).toEqual(expect.arrayContaining(['county', 'score', 'reasons', 'nearestTeam']));
			expect(item.county.code).toMatch(/^64\d{4}$/);
			for (const reason of item.reasons) expect(reason).toMatch(/[\u4e00-\u9fff]/);
		}
		expect(body.items.some((s: { reasons: string[] }) => s.reasons.some((r) => /^未销号问题 \d+ 项$/.test(r)))).toBe(true);
		// the nearest free team, as the database measures it on the ellipsoid
		const rows = await sql`
			select c.code, t.id, st_distance(coalesce(t.point, t.home_point)::geography, coalesce(c.point, st_pointonsurface(c.geom))::geography) as meters
			from region c, team t join region h on h.code = t.home_region
			where c.province_code = '640000' and c.level = 'county' and h.province_code = '640000' and t.status = 'idle'
				and not exists (select 1 from assignment a where a.team_id = t.id and a.status in ('assigned', 'underway'))`;
		for (const item of body.items) {
			const nearest = rows.filter((r) => r.code === item.county.code).sort((a, b) => a.meters - b.meters)[0];
			expect(item.nearestTeam.id).toBe(nearest.id);
			expect(item.nearestTeam.distanceKm).toBe(Math.round(nearest.meters) / 1000);
		}
	});

	it('are the dispatch readers\' only, and a region in scope', async () => {
		expect((await call('/api/dispatch/suggestions?region=640000', who.officer)).status).toBe(403);
		expect((await call('/api/dispatch/suggestions?region=640000', who.leader)).status).toBe(403);
		expect((await call('/api/dispatch/suggestions?region=370000', who.dispatcher)).status).toBe(403);
		expect((await call('/api/dispatch/suggestions?region=640100', who.dispatcher)).body.total).toBe(6);
		expect((await call('/api/dispatch/suggestions?region=64', who.dispatcher)).status).toBe(400);
	});
});

describe('assignments and findings', () => {
	let assignment = 0;
	const problemsOf = async (text: string) => (await sql`select id from problem where description = ${text}`).length;

	it('send the team unannounced with places to visit, and refuse a second', async () => {
		const [village] = await sql`select code from region where county_code = ${COUNTY} and level = 'village' order by code limit 1`;
		const sent = await call(`/api/teams/${team}/assignments`, as(who.dispatcher, 'POST', { county: COUNTY, places: [village.code], reason: '问题较多' }));
		expect(sent.status).toBe(201);
		assignment = sent.body.id;
		expect(Number.isInteger(assignment)).toBe(true);
		const shown = await call(`/api/teams/${team}`, who.inspector);
		expect(shown.body).toMatchObject({ status: 'travelling', assignment: { id: assignment, county: { code: COUNTY }, unannounced: true } });
		expect(shown.body.assignment.places.map((p: { id: string }) => p.id)).toEqual([village.code]);
		const again = await call(`/api/teams/${team}/assignments`, as(who.dispatcher, 'POST', { county: OTHER }));
		expect(again.status).toBe(409);
		const bad = await call(`/api/teams/${team}/assignments`, as(who.dispatcher, 'POST', { county: COUNTY, team: 'team-1' }));
		expect(bad.status).toBe(422);
	});

	it('file a finding once per Idempotency-Key, as a problem of the county with a deadline, source inspection', async () => {
		const [village] = await sql`select code from region where county_code = ${COUNTY} and level = 'village' order by code desc limit 1`;
		const text = `村卫生室药品过期 ${suffix}`;
		await call(`/api/teams/${team}/status`, as(who.inspector, 'POST', { status: 'inspecting', lon: 106.35, lat: 38.55 }));
		const headers = { 'idempotency-key': `finding-${suffix}` };
		const first = await call(`/api/teams/${team}/findings`, as(who.inspector, 'POST', { region: village.code, category: 'clinic', description: text }, headers));
		expect(first.status).toBe(201);
		expect(first.body).toMatchObject({ repeated: false, problem: { region: village.code, category: 'clinic' } });
		const again = await call(`/api/teams/${team}/findings`, as(who.inspector, 'POST', { region: village.code, category: 'clinic', description: text }, headers));
		expect(again.status).toBe(201);
		expect(again.body).toMatchObject({ repeated: true, problem: first.body.problem });
		expect(await problemsOf(text)).toBe(1);
		const [problem] = await sql`select source, county_code, deadline - found_on as days from problem where id = ${first.body.problem.id}`;
		expect(problem).toEqual({ source: 'inspection', county_code: COUNTY, days: 30 });
		const feed = await call('/api/dispatch/findings', who.dispatcher);
		expect(feed.body.items[0]).toMatchObject({ problem: first.body.problem.id, team: { id: team } });
		expect((await call('/api/dispatch/findings', who.officer)).status).toBe(403);
	});

	it('refuse a finding outside the county, malformed fields, and a county officer, writing nothing', async () => {
		const [elsewhere] = await sql`select code from region where county_code = ${OTHER} and level = 'village' limit 1`;
		const outside = await call(`/api/teams/${team}/findings`, as(who.inspector, 'POST', { region: elsewhere.code, category: 'clinic', description: `越界 ${suffix}` }));
		expect(outside.status).toBe(403);
		const malformed = await call(`/api/teams/${team}/findings`, as(who.inspector, 'POST', { region: COUNTY, category: 'x', description: '', deadline: '0000-01-01' }));
		expect(malformed.status).toBe(422);
		expect(malformed.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['category', 'deadline', 'description']);
		const nul = await call(`/api/teams/${team}/findings`, as(who.inspector, 'POST', { region: COUNTY, category: 'clinic', description: 'a\u0000b' }));
		expect([nul.status, nul.body.error.details]).toEqual([422, [{ field: 'description', message: '不能含空字符（U+0000）' }]]);
		expect((await call(`/api/teams/${team}/findings`, as(who.officer, 'POST', { region: COUNTY, category: 'clinic', description: `官员 ${suffix}` }))).status).toBe(403);
		expect(await problemsOf(`越界 ${suffix}`)).toBe(0);
		expect(await problemsOf(`官员 ${suffix}`)).toBe(0);
	});

	it('carries photos into the problem as evidence the county reads, without what the camera wrote about who and where', async () => {
		const segment = (marker: number, body: string) => {
			const bytes = new TextEncoder().encode(body);
			return [0xff, marker, (bytes.length + 2) >> 8, (bytes.length + 2) & 255, ...bytes];
		};
		const photo = new Uint8Array([0xff, 0xd8, ...segment(0xe0, 'JFIF\u0000\u0001'), ...segment(0xe1, `Exif\u0000\u0000 ${name('inspector')} GPS 38.5N`), 0xff, 0xda, 0, 2, 7, 7, 0xff, 0xd9]);
		const upload = (bytes: Uint8Array, type: string, key: string, caller = who.inspector) => {
			const form = new FormData();
			form.append('file', new Blob([bytes as BlobPart], { type }), 'IMG_0001.jpg');
			return fetch(`${baseUrl()}/api/teams/${team}/photos`, { method: 'POST', body: form, headers: { cookie: caller.cookie!, 'idempotency-key': key, origin: baseUrl() } });
		};
		const first = await upload(photo, 'image/jpeg', `photo-${suffix}`);
		expect(first.status).toBe(201);
		const kept = await first.json();
		expect(kept).toMatchObject({ name: 'IMG_0001.jpg', type: 'image/jpeg' });
		// the same photo again under its key: the same one, not a second
		expect(await (await upload(photo, 'image/jpeg', `photo-${suffix}`)).json()).toEqual(kept);
		// what is not an image by its content, whatever it says it is, is refused
		expect((await upload(new TextEncoder().encode('%PDF-1.4 not a photo'), 'image/jpeg', `pdf-${suffix}`)).status).toBe(415);
		expect((await upload(photo, 'image/jpeg', `officer-${suffix}`, who.officer)).status).toBe(403);
		const [village] = await sql`select code from region where county_code = ${COUNTY} and level = 'village' order by code limit 1 offset 1`;
		const finding = await call(`/api/teams/${team}/findings`, as(who.inspector, 'POST', { region: village.code, category: 'clinic', description: `无健康档案 ${suffix}`, evidence: [String(kept.id)] }, { 'idempotency-key': `with-photo-${suffix}` }));
		expect(finding.status).toBe(201);
		// a photo proves one finding only
		const twice = await call(`/api/teams/${team}/findings`, as(who.inspector, 'POST', { region: village.code, category: 'clinic', description: `再用 ${suffix}`, evidence: [String(kept.id)] }));
		expect(twice.status).toBe(422);
		const detail = await call(`/api/problems/${finding.body.problem.id}`, who.officer);
		expect(detail.status).toBe(200);
		const created = detail.body.timeline.find((entry: { type: string }) => entry.type === 'problem.created');
		expect(created.evidence).toHaveLength(1);
		const served = await fetch(`${baseUrl()}/api/evidence/${created.evidence[0].id}`, { headers: { cookie: who.officer.cookie! } });
		expect(served.status).toBe(200);
		expect(served.headers.get('content-type')).toBe('image/jpeg');
		const text = new TextDecoder('latin1').decode(new Uint8Array(await served.arrayBuffer()));
		expect(text).toContain('JFIF');
		expect(text).not.toMatch(/Exif|GPS/);
		expect(text).not.toContain(name('inspector'));
		expect(JSON.stringify(detail.body)).not.toContain(team);
	});

	it('complete: the team stands by again and the county counts as inspected today', async () => {
		expect((await call(`/api/teams/${team}/assignments/${assignment}`, as(who.inspector, 'PATCH', { status: 'cancelled' }))).status).toBe(403);
		const done = await call(`/api/teams/${team}/assignments/${assignment}`, as(who.dispatcher, 'PATCH', { status: 'done' }));
		expect(done.status).toBe(200);
		expect(done.body).toMatchObject({ status: 'idle', assignment: null });
		const { body } = await call('/api/dispatch/suggestions?region=640000', who.dispatcher);
		const county = body.items.find((s: { county: { code: string } }) => s.county.code === COUNTY);
		expect(county).toMatchObject({ score: 0, factors: { daysSince: 0 } });
		expect((await call(`/api/teams/${team}/assignments/${assignment}`, as(who.dispatcher, 'PATCH', { status: 'done' }))).status).toBe(409);
		expect((await call(`/api/teams/${team}/assignments/999999999`, as(who.dispatcher, 'PATCH', { status: 'done' }))).status).toBe(404);
	});
});

describe('cross-inspection, weights and talks', () => {
	it('pairs the province\'s five cities, none with itself and no two both ways, and draws again', async () => {
		const first = await call('/api/cross-inspections', as(who.dispatcher, 'POST', { province: '640000' }));
		expect(first.status).toBe(201);
		const cities = (await sql`select code from region where level = 'city' and province_code = '640000' order by code`).map((r) => r.code);
		expect(first.body.items.map((p: { inspector: string }) => p.inspector).sort()).toEqual(cities);
		expect(first.body.items.map((p: { target: string }) => p.target).sort()).toEqual(cities);
		for (const p of first.body.items) {
			expect(p.target).not.toBe(p.inspector);
			expect(first.body.items.some((q: { inspector: string; target: string }) => q.inspector === p.target && q.target === p.inspector)).toBe(false);
		}
		const second = await call('/api/cross-inspections', as(who.dispatcher, 'POST', { province: '640000' }));
		expect((await call('/api/cross-inspections?province=640000', who.dispatcher)).body).toMatchObject({ id: second.body.id, items: second.body.items, total: 5 });
		expect((await call('/api/cross-inspections', as(who.dispatcher, 'POST', { province: '640000', cities: ['640100', '370100'] }))).status).toBe(422);
		expect((await call('/api/cross-inspections', as(who.admin, 'POST', { province: '640000' }))).status).toBe(403);
		expect((await call('/api/cross-inspections', as(who.dispatcher, 'POST', { province: '370000' }))).status).toBe(403);
	});

	it('lets the admin set the weights of the priority; the dispatcher reads them', async () => {
		const current = (await call('/api/dispatch/weights', who.dispatcher)).body;
		expect(current).toMatchObject({ overdue: expect.any(Number), quiet: { from: '07-01', to: '09-30' } });
		const changed = await call('/api/dispatch/weights', as(who.admin, 'PUT', { ...current, key: 50, quiet: null }));
		expect(changed.status).toBe(200);
		expect(changed.body).toMatchObject({ key: 50, quiet: null });
		const { body } = await call('/api/dispatch/suggestions?region=640000', who.dispatcher);
		const keyCounties = body.items.filter((s: { factors: { key: boolean; active: boolean } }) => s.factors.key && !s.factors.active);
		if (keyCounties.length) expect(keyCounties[0].reasons[0]).toBe('重点县');
		expect((await call('/api/dispatch/weights', as(who.dispatcher, 'PUT', current))).status).toBe(403);
		expect((await call('/api/dispatch/weights', as(who.admin, 'PUT', { ...current, overdue: -1 }))).status).toBe(422);
		expect((await call('/api/dispatch/weights', as(who.admin, 'PUT', current))).status).toBe(200);
	});

	it('records a talk with a county leader about a problem, which the county reads', async () => {
		const [problem] = await sql`select id, code from problem where county_code = ${COUNTY} order by id limit 1`;
		const talk = await call('/api/events', as(who.dispatcher, 'POST', { type: 'talk.recorded', payload: { region: COUNTY, leader: '贺兰县副县长', reason: `整改滞后 ${suffix}`, problem: problem.id } }));
		expect(talk.status).toBe(201);
		const seen = await call(`/api/talks?region=${COUNTY}`, who.officer);
		expect(seen.status).toBe(200);
		expect(seen.body.items[0]).toMatchObject({ leader: '贺兰县副县长', problem: { id: problem.id, code: problem.code } });
		const [elsewhere] = await sql`select id from problem where county_code = ${OTHER} limit 1`;
		const wrong = await call('/api/events', as(who.dispatcher, 'POST', { type: 'talk.recorded', payload: { region: COUNTY, leader: '某', reason: '某', problem: elsewhere.id } }));
		expect(wrong.status).toBe(422);
		expect((await call(`/api/talks?region=${OTHER}`, who.officer)).status).toBe(403);
	});

	it('lists a problem for national supervision after the provincial one', async () => {
		const [problem] = await sql`select id from problem where county_code = ${OTHER} and status <> 'closed' and not supervised order by id limit 1`;
		const post = (level?: string) => call('/api/events', as(who.dispatcher, 'POST', { type: 'problem.supervised', payload: { problem: problem.id, ...(level ? { level } : {}) } }));
		expect((await post()).status).toBe(201);
		expect((await post('province')).status).toBe(422);
		expect((await post('national')).status).toBe(201);
		const [row] = await sql`select supervised, supervision_level from problem where id = ${problem.id}`;
		expect(row).toEqual({ supervised: true, supervision_level: 'national' });
	});
});
