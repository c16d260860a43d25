import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { io } from 'socket.io-client';
import { startAppServer, type AppServer } from '../setup/app-server';
import { LiveStream } from '../../src/lib/live/live-stream.svelte';
import type { LiveEvent } from '../../src/lib/types/events';
import type { ClientSocket } from '../helpers/api';

/**
 * Two app nodes on one database, sharing the fan-out through Redis, as a deployment behind a
 * load balancer runs them; nodes are stopped, killed and restarted while clients listen.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// the nodes' own poll of the log is slowed right down: what reaches the other node comes through Redis
const env = { REDIS_URL, REDIS_PREFIX: `hcc-test-${process.pid}-${Date.now()}`, LOG_POLL_SECONDS: '600' };

let a: AppServer;
let b: AppServer;
let sql: ReturnType<typeof postgres>;
const cookies: Record<string, string> = {};
const streams: LiveStream[] = [];
const sockets: ClientSocket[] = [];
let patients: string[] = [];
let noise: string[] = [];

async function login(server: AppServer, username: string): Promise<string> {
	const res = await fetch(`${server.baseUrl}/api/auth/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username, password: 'demo-password' })
	});
	expect(res.status).toBe(200);
	return res.headers.getSetCookie().find((c) => c.startsWith('session='))!.split(';')[0];
}

async function post(server: AppServer, who: string, type: string, payload: object): Promise<number> {
	const res = await fetch(`${server.baseUrl}/api/events`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: cookies[who], origin: server.baseUrl },
		body: JSON.stringify({ type, payload })
	});
	const body = await res.json();
	if (res.status !== 201) throw new Error(`${type}: ${res.status} ${JSON.stringify(body)}`);
	return body.seq;
}

const followUp = (server: AppServer, who: string, patient: string) => post(server, who, 'patient.followed_up', { patient, date: new Date().toISOString().slice(0, 10) });

async function kioskToken(region: string): Promise<string> {
	return (await issueKioskToken(region)).token;
}

async function issueKioskToken(region: string): Promise<{ id: number; token: string }> {
	const res = await fetch(`${a.baseUrl}/api/kiosk-tokens`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: cookies.admin, origin: a.baseUrl },
		body: JSON.stringify({ name: `集群测试 ${region}`, region })
	});
	return res.json();
}

/** A page's live client on `server`, collecting what it receives. */
function follow(server: AppServer, token: string, region: string, after: number) {
	const stream = new LiveStream({ region, token, after, url: server.baseUrl });
	const received: LiveEvent[] = [];
	stream.onEvent((event) => received.push(event));
	streams.push(stream.start());
	return { stream, received };
}

/** A plain socket signed in as a user, collecting what it receives after subscribing. */
async function userSocket(server: AppServer, who: string, region: string): Promise<LiveEvent[]> {
	const socket: ClientSocket = io(server.baseUrl, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: cookies[who] }, forceNew: true });
	sockets.push(socket);
	const received: LiveEvent[] = [];
	socket.on('event', (event) => received.push(event));
	const ack = await socket.timeout(10_000).emitWithAck('subscribe', { region });
	expect(ack.ok).toBe(true);
	return received;
}

interface Logged {
	seq: number;
	type: string;
}

/** The log's events in `county` above `after`, as the database holds them (the truth clients must match). */
const countyEvents = async (county: string, after: number): Promise<Logged[]> =>
	(await sql`select seq, type from event where county_code = ${county} and seq > ${after} and not sealed order by seq`).map((row) => ({ seq: Number(row.seq), type: row.type }));

/**
 * A page's client takes the stream in batches: an `indicators.changed` may be folded into a later
 * one of its batch, but every other event of the log arrives, once, in seq order, and so do the
 * latest figures.
 */
function expectDelivered(received: LiveEvent[], logged: Logged[]): void {
	const others = (events: Logged[]) => events.filter((event) => event.type !== 'indicators.changed').map((event) => event.seq);
	const changed = (events: Logged[]) => events.filter((event) => event.type === 'indicators.changed').map((event) => event.seq);
	expect(others(received)).toEqual(others(logged));
	expect(changed(logged)).toEqual(expect.arrayContaining(changed(received)));
	expect(changed(received).at(-1)).toBe(changed(logged).at(-1));
	expect(seqs(received)).toEqual([...new Set(seqs(received))].sort((x, y) => x - y));
}

const head = async () => Number((await sql`select coalesce(max(seq), 0) as seq from event`)[0].seq);

async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 50));
	}
}

const seqs = (events: LiveEvent[]) => events.map((event) => event.seq);

beforeAll(async () => {
	a = await startAppServer({ env });
	b = await startAppServer({ env, sharing: a });
	sql = postgres(a.dbUrl, { max: 2, onnotice: () => {} });
	for (const who of ['admin', 'dispatcher', 'officer-371424', 'inspector-1']) cookies[who] = await login(a, who);
	patients = (await sql`select id from patient where county_code = '371424' and category = 'chronic' order by id limit 60`).map((row) => row.id);
	noise = (await sql`select id from patient where county_code = '371425' and category = 'chronic' order by id limit 30`).map((row) => row.id);
});

afterAll(async () => {
	for (const stream of streams) stream.stop();
	for (const socket of sockets) socket.close();
	await sql?.end();
	await b?.stop();
	await a?.stop();
});

describe('two app nodes sharing one database through Redis', () => {
	it('delivers every event once, in seq order, to clients on both nodes, whichever node wrote it', async () => {
		const [province, county] = [await kioskToken('370000'), await kioskToken('371424')];
		const start = await head();
		const clients = [follow(a, province, '370000', start), follow(b, province, '370000', start), follow(a, county, '371424', start), follow(b, county, '371424', start)];
		await until(() => clients.every((c) => c.stream.status === 'live'));
		// the county's officer writes through one node, the province's dispatcher through the other, at once
		await Promise.all([
			(async () => {
				for (const patient of patients.slice(0, 20)) await followUp(a, 'officer-371424', patient);
			})(),
			(async () => {
				for (const patient of noise.slice(0, 20)) await followUp(b, 'dispatcher', patient);
			})()
		]);
		const all = (await sql`select seq, type from event where province_code = '370000' and seq > ${start} and not sealed order by seq`).map((row) => ({ seq: Number(row.seq), type: row.type }));
		const inCounty = await countyEvents('371424', start);
		expect(all.length).toBeGreaterThanOrEqual(80);
		// a client has seen up to the last seq of its last batch: the chain it checks for gaps (`prev`) held to there
		await until(() => clients.every((c, i) => c.stream.lastSeq >= (i < 2 ? all : inCounty).at(-1)!.seq));
		await new Promise((r) => setTimeout(r, 300));
		for (const [i, client] of clients.entries()) expectDelivered(client.received, i < 2 ? all : inCounty);
	});

	it("keeps team movements from the target county's sockets, and gives them to the province and the team", async () => {
		const officer = await userSocket(b, 'officer-371424', '371424');
		const dispatcher = await userSocket(a, 'dispatcher', '370000');
		const inspectorSocket = io(b.baseUrl, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: cookies['inspector-1'] }, forceNew: true });
		sockets.push(inspectorSocket);
		const inspector: LiveEvent[] = [];
		inspectorSocket.on('event', (event) => inspector.push(event));
		await until(() => inspectorSocket.connected);

		const [village] = await sql`select code from region where county_code = '371424' and level = 'village' order by code limit 1`;
		const assigned = await post(a, 'dispatcher', 'team.assigned', { team: 'team-1', county: '371424' });
		await post(b, 'inspector-1', 'team.location', { team: 'team-1', lon: 116.87, lat: 37.19 });
		const found = await post(b, 'inspector-1', 'team.finding', { team: 'team-1', region: village.code, category: 'doctor', description: '村医未到岗' });
		await post(a, 'inspector-1', 'team.status', { team: 'team-1', status: 'inspecting' });

		await until(() => dispatcher.some((e) => e.type === 'team.status') && officer.some((e) => e.type === 'indicators.changed'));
		await new Promise((r) => setTimeout(r, 300));
		expect(officer.filter((e) => e.type.startsWith('team.'))).toEqual([]);
		expect(JSON.stringify(officer)).not.toContain('team-1');
		expect(officer.map((e) => e.type)).toEqual(['problem.created', 'indicators.changed']);
		expect(officer[0].seq).toBe(found + 1);
		expect(dispatcher.filter((e) => e.type.startsWith('team.')).map((e) => e.type)).toEqual(['team.assigned', 'team.location', 'team.finding', 'team.status']);
		expect(dispatcher.find((e) => e.type === 'team.assigned')!.seq).toBe(assigned);
		// the team hears of its own assignment and movements on any node, without subscribing to a region
		await until(() => inspector.length >= 4);
		expect(inspector.map((e) => e.type)).toEqual(['team.assigned', 'team.location', 'team.finding', 'team.status']);
	});

	it('cuts a revoked kiosk token\'s live connection on the other node too', async () => {
		const { id, token } = await issueKioskToken('371400');
		const client = follow(b, token, '371400', await head());
		await until(() => client.stream.status === 'live');
		const res = await fetch(`${a.baseUrl}/api/kiosk-tokens/${id}`, { method: 'DELETE', headers: { cookie: cookies.admin, origin: a.baseUrl } });
		expect(res.status).toBeLessThan(300);
		await until(() => client.stream.status === 'refused');
	});

	it('gives a client whose node was killed every event written meanwhile, once, when the node is back', async () => {
		const token = await kioskToken('371424');
		const start = await head();
		const client = follow(b, token, '371424', start);
		await until(() => client.stream.status === 'live');
		await followUp(a, 'officer-371424', patients[20]);
		await until(() => client.received.length === 2);

		await b.kill('SIGKILL');
		for (const patient of patients.slice(21, 31)) await followUp(a, 'officer-371424', patient);
		await b.restart();
		for (const patient of patients.slice(31, 35)) await followUp(a, 'officer-371424', patient);

		const expected = await countyEvents('371424', start);
		expect(expected).toHaveLength(30);
		await until(() => client.stream.lastSeq >= expected.at(-1)!.seq);
		await new Promise((r) => setTimeout(r, 300));
		expectDelivered(client.received, expected);
	});

	it('keeps seq across a restart of the node that holds the database, and clients replay from where they were', async () => {
		const token = await kioskToken('371424');
		const start = await head();
		const client = follow(a, token, '371424', start);
		await until(() => client.stream.status === 'live');
		const before = await followUp(a, 'officer-371424', patients[40]);
		await until(() => client.received.length === 2);

		await a.restart();
		// whatever node the writes go through, the log goes on from where it was
		const after = await followUp(a, 'officer-371424', patients[41]);
		await followUp(b, 'officer-371424', patients[42]);
		expect(after).toBeGreaterThan(before);

		const expected = await countyEvents('371424', start);
		expect(expected).toHaveLength(6);
		await until(() => client.stream.lastSeq >= expected.at(-1)!.seq);
		await new Promise((r) => setTimeout(r, 300));
		expectDelivered(client.received, expected);
	});

	it('tells a client too far behind for a replay to reload, and goes on live from the head', async () => {
		const token = await kioskToken('371424');
		const start = await head();
		// more events than a replay may carry, written while the client was away
		await sql.begin(async (tx) => {
			await tx`select pg_advisory_xact_lock(7310401)`;
			await tx`insert into event (seq, type, province_code, city_code, county_code, actor, payload)
				select ${start} + i, 'facility.updated', '370000', '371400', '371424', 'bulk', '{}'::jsonb from generate_series(1, 5001) i`;
		});
		// a write through the node publishes the log up to it; a live socket shows when it is through
		const watcher = await userSocket(a, 'officer-371424', '371424');
		const published = await followUp(a, 'officer-371424', patients[49]);
		await until(() => watcher.some((event) => event.seq === published));
		const resumeAt = await head();
		const stream = new LiveStream({ region: '371424', token, after: start, url: a.baseUrl });
		streams.push(stream);
		let resyncs = 0;
		stream.onResync(() => resyncs++);
		const received: LiveEvent[] = [];
		stream.onEvent((event) => received.push(event));
		stream.start();
		await until(() => stream.status === 'live');
		expect(resyncs).toBe(1);
		expect(stream.lastSeq).toBe(resumeAt);
		const next = await followUp(b, 'officer-371424', patients[50]);
		await until(() => received.length >= 2);
		expect(seqs(received)).toEqual([next, next + 1]);
	});
});
