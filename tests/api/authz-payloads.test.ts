// The authorisation matrix of what each role receives inside events: by the socket (live and
// replayed) and by `GET /api/events`, every event walked whole. A subscriber's copy carries no
// figures and no region outside its scope; the county's copy of a team's finding names no one
// of the team, nor the sealed events around it. Other test files write into 临邑县 meanwhile:
// what they write is walked too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, baseUrl, call, connect, login, subscribe, type Caller, type ClientSocket } from '../helpers/api';
import { ACCOUNT_PASSWORD, createAccount } from '../helpers/accounts';
import type { LiveEvent } from '../../src/lib/types/events';

const sql = appDatabase();
const suffix = Math.random().toString(36).slice(2, 7);
const INSPECTOR = `inspector-pl-${suffix}`;
const COUNTY = '371424'; // 临邑县
const SENT = '371402'; // 德城区, where inspector-1's team is sent (as events.test.ts and the matrix send it)
const callers: Record<string, Caller> = {};
let team = '';

interface Row {
	name: string;
	caller: () => Caller;
	/** the region it subscribes to and replays */
	region: string;
	/** whether a region code lies in its scope */
	inScope: (code: string) => boolean;
	/** the levels of the figures it reads inside a county's `indicators.changed` */
	figures: string[];
	/** whether it reads sealed events (team movements, unannounced assignments) */
	sealed: boolean;
	/** its own team's events, which reach it whatever region they name (SPEC §4) */
	team?: string;
}

const within = (prefix: string) => (code: string) => code.startsWith(prefix);
const rows: Row[] = [
	{ name: 'admin', caller: () => callers.admin, region: '370000', inScope: within('37'), figures: ['county', 'city', 'province'], sealed: true },
	{ name: 'leader', caller: () => callers.leader, region: '370000', inScope: within('37'), figures: ['county', 'city', 'province'], sealed: true },
	{ name: 'dispatcher', caller: () => callers.dispatcher, region: '370000', inScope: within('37'), figures: ['county', 'city', 'province'], sealed: true },
	{ name: 'officer-371424', caller: () => callers['officer-371424'], region: COUNTY, inScope: within(COUNTY), figures: ['county'], sealed: false },
	{ name: 'inspector-1', caller: () => callers['inspector-1'], region: SENT, inScope: within(SENT), figures: ['county'], sealed: false, team: 'team-1' },
	{ name: 'kiosk(371424)', caller: () => callers.kioskCounty, region: COUNTY, inScope: within(COUNTY), figures: ['county'], sealed: false },
	{ name: 'kiosk(371400)', caller: () => callers.kioskCity, region: '371400', inScope: within('3714'), figures: ['county', 'city'], sealed: false }
];

const REGION_CODE = /^(\d{6}|\d{9}|\d{12})$/;
let regionCodes = new Set<string>();

/** Every string anywhere in `value` (keys and values). */
function strings(value: unknown, out: string[] = []): string[] {
	if (typeof value === 'string') out.push(value);
	else if (Array.isArray(value)) for (const item of value) strings(item, out);
	else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) out.push(key), strings(item, out);
	return out;
}

/** Region codes named anywhere in the event but its path (which names its own place). */
const regionsNamed = (event: LiveEvent) => strings({ ...event, path: null }).filter((s) => REGION_CODE.test(s) && regionCodes.has(s));

/** The path's codes outside scope may only be the ancestors of the region subscribed to (its own region read names them). */
const SEALED = ['team.', 'cross_inspection.', 'dispatch.'];

function checkEvent(row: Row, event: LiveEvent, ancestors: string[]): void {
	if (row.team && (event.payload as { team?: string }).team === row.team) return;
	if (!row.sealed) expect(SEALED.some((prefix) => event.type.startsWith(prefix)), `${row.name} got ${event.type} #${event.seq}`).toBe(false);
	const outside = regionsNamed(event).filter((code) => !row.inScope(code));
	expect(outside, `${row.name} got ${event.type} #${event.seq} naming ${outside.join(', ')}`).toEqual([]);
	for (const code of Object.values(event.path)) if (code && !row.inScope(code)) expect(ancestors).toContain(code);
	if (event.type === 'indicators.changed') {
		const regions = (event.payload as { regions: { code: string; level: string }[] }).regions;
		expect(regions.map((r) => r.level), `${row.name}: indicators.changed #${event.seq}`).toEqual(row.figures);
		for (const region of regions) expect(row.inScope(region.code)).toBe(true);
	}
}

const settle = (ms = 800) => new Promise((r) => setTimeout(r, ms));
const post = (caller: Caller, json: unknown, key?: string) =>
	call('/api/events', { ...caller, method: 'POST', json, headers: key === undefined ? {} : { 'idempotency-key': key } });

interface Watch {
	row: Row;
	socket: ClientSocket;
	received: LiveEvent[];
	ancestors: string[];
}
const watches: Watch[] = [];
let start = 0;
// the writes of this file the subscribers must have seen
const followUps: Record<string, number> = {};
const followUpOf = (row: Row) => followUps[row.region === SENT ? SENT : COUNTY];
let finding: { problem: number; seq: number } = { problem: 0, seq: 0 };

beforeAll(async () => {
	regionCodes = new Set((await sql`select code from region`).map((r) => r.code as string));
	let address = 10;
	for (const name of ['admin', 'leader', 'dispatcher', 'officer-371424', 'inspector-1']) callers[name] = { cookie: await login(name, undefined, `127.0.41.${address++}`) };
	for (const [key, region] of [['kioskCounty', COUNTY], ['kioskCity', '371400']]) {
		const token = await call('/api/kiosk-tokens', { ...callers.admin, method: 'POST', json: { name: `载荷测试${region}`, region } });
		expect(token.status).toBe(201);
		callers[key] = { bearer: token.body.token };
	}
	// inspector-1's team is sent to 德城区: the county is all it reads
	await sql`insert into assignment (team_id, county_code, starts_on, reason) values ('team-1', ${SENT}, current_date, 'authz-payloads')`;
	// a team of this file's own, sent unannounced to 临邑县, whose finding the county receives
	await createAccount(sql, INSPECTOR, 'inspector', {});
	const created = await call('/api/teams', { ...callers.dispatcher, method: 'POST', json: { name: `载荷暗访组${suffix}`, home_region: '370000', members: [INSPECTOR] } });
	expect(created.status).toBe(201);
	team = created.body.id;
	callers.inspector = { cookie: await login(INSPECTOR, ACCOUNT_PASSWORD, '127.0.41.30') };
	const sent = await call(`/api/teams/${team}/assignments`, { ...callers.dispatcher, method: 'POST', json: { county: COUNTY, unannounced: true } });
	expect(sent.status).toBe(201);

	start = (await sql`select coalesce(max(seq), 0)::int as seq from event`)[0].seq;
	for (const row of rows) {
		const socket = await connect(row.caller());
		const received: LiveEvent[] = [];
		socket.on('event', (event) => received.push(event));
		expect(await subscribe(socket, row.region)).toMatchObject({ ok: true });
		const [region] = await sql`select province_code, city_code from region where code = ${row.region}`;
		watches.push({ row, socket, received, ancestors: [region.province_code, region.city_code].filter((c) => c && c !== row.region) });
	}

	// a follow-up in 临邑县 and one in 德城区: each indicators.changed names the county, the city and the province
	for (const county of [COUNTY, SENT]) {
		const [patient] = await sql`select id from patient where county_code = ${county} order by id limit 1`;
		const res = await post(callers.dispatcher, { type: 'patient.followed_up', payload: { patient: patient.id } });
		expect(res.status).toBe(201);
		followUps[county] = res.body.seq;
	}
	// a talk with the county's leader, and a finding of the team in one of its villages, with a photo
	expect((await post(callers.dispatcher, { type: 'talk.recorded', payload: { region: COUNTY, leader: '王副县长', reason: `进度滞后 ${suffix}` } })).status).toBe(201);
	const [village] = await sql`select code from region where county_code = ${COUNTY} and level = 'village' order by code limit 1 offset 3`;
	await call(`/api/teams/${team}/status`, { ...callers.inspector, method: 'POST', json: { status: 'inspecting', lon: 116.8, lat: 37.2 } });
	const form = new FormData();
	form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'IMG_0007.png');
	const photo = await fetch(`${baseUrl()}/api/teams/${team}/photos`, { method: 'POST', body: form, headers: { cookie: callers.inspector.cookie!, origin: baseUrl() } });
	expect(photo.status).toBe(201);
	const filed = await call(`/api/teams/${team}/findings`, {
		...callers.inspector,
		method: 'POST',
		json: { region: village.code, category: 'clinic', description: `村医未到岗 ${suffix}`, evidence: [String((await photo.json()).id)] }
	});
	expect(filed.status).toBe(201);
	finding = { problem: filed.body.problem.id, seq: filed.body.seq };
	// a later move of the problem by the county
	expect((await call(`/api/problems/${finding.problem}`, { ...callers['officer-371424'], method: 'PATCH', json: { status: 'rectifying', note: '已安排村医' } })).status).toBe(200);
	await settle();
});

afterAll(async () => {
	for (const { socket } of watches) socket.close();
	await sql`delete from assignment where reason = 'authz-payloads'`;
	await sql.end();
});

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ea80000000049454e44ae426082', 'hex');
const watchOf = (name: string) => watches.find((w) => w.row.name === name)!;

/** What `caller` gets of `region` after `after` by `GET /api/events`, every page. */
async function replayed(caller: Caller, region: string, after: number): Promise<LiveEvent[]> {
	const events: LiveEvent[] = [];
	for (;;) {
		const res = await call(`/api/events?region=${region}&after=${after}&limit=1000`, caller);
		expect(res.status).toBe(200);
		events.push(...res.body.items);
		if (res.body.items.length < 1000) return events;
		after = events[events.length - 1].seq;
	}
}

/** What a fresh socket of `caller` replays of `region` after `after`. */
async function socketReplay(caller: Caller, region: string, after: number): Promise<LiveEvent[]> {
	const socket = await connect(caller);
	const events: LiveEvent[] = [];
	socket.on('event', (event) => events.push(event));
	const ack = await subscribe(socket, region, after);
	expect(ack).toMatchObject({ ok: true });
	await settle(300);
	socket.close();
	const head = ack.ok ? ack.head : 0;
	return events.filter((event) => event.seq <= head);
}

describe.each(rows)('what $name receives', (row) => {
	it('live: no figures and no region outside its scope, in any event', () => {
		const { received, ancestors } = watchOf(row.name);
		expect(received.some((e) => e.type === 'indicators.changed' && (e.payload as { cause: number }).cause === followUpOf(row))).toBe(true);
		for (const event of received) checkEvent(row, event, ancestors);
	});

	it('by GET /api/events: the same cut', async () => {
		const { ancestors } = watchOf(row.name);
		const events = await replayed(row.caller(), row.region, start);
		expect(events.some((e) => e.seq === followUpOf(row) + 1 && e.type === 'indicators.changed')).toBe(true);
		for (const event of events) checkEvent(row, event, ancestors);
	});

	it('replayed over the socket: the same cut, and the same events as it received live', async () => {
		const { received, ancestors } = watchOf(row.name);
		const events = await socketReplay(row.caller(), row.region, start);
		expect(events.some((e) => e.seq === followUpOf(row) + 1)).toBe(true);
		for (const event of events) checkEvent(row, event, ancestors);
		// over the window both saw: the same events, cut the same way
		const [from, to] = [received[0].seq, events[events.length - 1].seq];
		const strip = (list: LiveEvent[]) => list.filter((e) => e.seq >= from && e.seq <= to).map(({ prev: _prev, ...e }: LiveEvent & { prev?: unknown }) => e);
		expect(strip(events)).toEqual(strip(received));
	});
});

describe("the county's copy of a team's finding", () => {
	const county = ['officer-371424', 'kiosk(371424)', 'kiosk(371400)'];
	const mentionsTeam = (event: LiveEvent) => strings(event).some((s) => s.includes(INSPECTOR) || s === team || s.includes(`载荷暗访组${suffix}`));

	it.each(county)('reaches %s as a problem naming no one of the team, live and replayed', async (name) => {
		const { row, received } = watchOf(name);
		const replay = await replayed(row.caller(), row.region, start);
		for (const events of [received, replay]) {
			const created = events.find((e) => e.type === 'problem.created' && (e.payload as { problem: number }).problem === finding.problem);
			expect(created).toBeDefined();
			expect(created!.actor).toBeNull();
			expect(Object.keys(created!.payload).sort()).toEqual(['category', 'code', 'deadline', 'evidence', 'problem', 'region', 'source']);
			expect((created!.payload as { evidence: { name: string }[] }).evidence.map((e) => Object.keys(e).sort())).toEqual([['id', 'name', 'size', 'type']]);
			// its figures' cause is the problem, not the sealed finding before it
			// (the first figures of its county after it: the end of its commit batch, whose cause is the
			// batch's latest change there, this problem unless another file's write followed it)
			const changed = events.find((e) => e.type === 'indicators.changed' && e.seq > created!.seq && e.path.county === created!.path.county);
			const cause = (changed?.payload as { cause: number }).cause;
			expect(cause).not.toBe(finding.seq);
			expect(cause).toBeGreaterThanOrEqual(created!.seq);
			// figures caused by the problem name no one (the members are looked for in every event below)
			if (cause === created!.seq) expect(changed?.actor).toBeNull();
			// no team event, nothing that names the team or its members, no cause it cannot read
			const seqs = new Set(events.map((e) => e.seq));
			expect(seqs.has(finding.seq)).toBe(false);
			for (const event of events) {
				expect(event.type.startsWith('team.'), `${name} got ${event.type}`).toBe(false);
				expect(mentionsTeam(event), `${name}: ${event.type} #${event.seq}`).toBe(false);
				const cause = (event.payload as { cause?: number }).cause;
				if (cause !== undefined && cause > start) expect(seqs.has(cause), `${name}: cause #${cause} of #${event.seq}`).toBe(true);
			}
		}
	});

	it("reads in the county's ledger item without the team, its members or its sealed events", async () => {
		const detail = await call(`/api/problems/${finding.problem}`, callers['officer-371424']);
		expect(detail.status).toBe(200);
		expect(detail.text).not.toContain(INSPECTOR);
		expect(detail.text).not.toContain(team);
		expect(detail.body.timeline.map((e: { type: string; actor: string | null }) => [e.type, e.actor])).toEqual([
			['problem.created', null],
			['problem.status_changed', 'officer-371424']
		]);
		expect(detail.body.timeline.some((e: { seq: number }) => e.seq === finding.seq)).toBe(false);
	});

	it('reaches the province with the team named, and its figures caused by the problem', () => {
		const { received } = watchOf('dispatcher');
		const sealed = received.find((e) => e.seq === finding.seq);
		expect(sealed).toMatchObject({ type: 'team.finding', actor: INSPECTOR, payload: { team, problem: finding.problem } });
		const changed = received.find((e) => e.type === 'indicators.changed' && e.seq === finding.seq + 2);
		expect((changed?.payload as { cause: number }).cause).toBe(finding.seq + 1);
	});
});
