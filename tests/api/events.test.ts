import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, call, connect, login, subscribe, type Caller, type ClientSocket } from '../helpers/api';
import type { LiveEvent } from '../../src/lib/types/events';

const sql = appDatabase();
const callers: Record<string, Caller> = {};
let kiosk: Caller = {};
// patients of 临邑县 (371424, the officer's county) and of 齐河县 (371425)
let own: string[] = [];
let other = '';
let facility = '';

const post = (caller: Caller, json: unknown, key?: string) =>
	call('/api/events', { ...caller, method: 'POST', json, headers: key === undefined ? {} : { 'idempotency-key': key } });
const followUp = (patient: string) => ({ type: 'patient.followed_up', payload: { patient, date: '2020-03-02' } });
// other files write to the same server meanwhile: count only the events about one patient
const eventCount = async (patient: string) => (await sql`select count(*)::int as n from event where payload ->> 'patient' = ${patient}`)[0].n as number;

/** Collects the `event` messages a socket receives. */
function collect(socket: ClientSocket): LiveEvent[] {
	const received: LiveEvent[] = [];
	socket.on('event', (event) => received.push(event));
	return received;
}

const settle = (ms = 500) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
	let address = 40;
	for (const name of ['admin', 'leader', 'dispatcher', 'officer-371424', 'inspector-1']) callers[name] = { cookie: await login(name, undefined, `127.0.0.${address++}`) };
	const token = await call('/api/kiosk-tokens', { ...callers.admin, method: 'POST', json: { name: '事件测试大屏', region: '371400' } });
	kiosk = { bearer: token.body.token };
	own = (await sql`select id from patient where county_code = '371424' order by id limit 40`).map((row) => row.id);
	[{ id: other }] = await sql`select id from patient where county_code = '371425' order by id limit 1`;
	[{ id: facility }] = await sql`select id from facility where county_code = '371424' and kind = 'village_clinic' order by id limit 1`;
	expect(own.length).toBe(40);
	// the inspector's team is sent to 德城区: that county is all an inspector reads
	await sql`insert into assignment (team_id, county_code, starts_on, reason) values ('team-1', '371402', current_date, 'events-test')`;
});

afterAll(async () => {
	await sql`delete from assignment where reason = 'events-test'`;
	await sql.end();
});

describe('POST /api/events', () => {
	it('applies a county officer\'s event in their county and answers 201 with its seq', async () => {
		const res = await post(callers['officer-371424'], { type: 'facility.updated', payload: { facility, doctors: 3 } }, 'api-facility-1');
		expect(res.status).toBe(201);
		const [event] = await sql`select type, county_code, actor from event where seq = ${res.body.seq}`;
		expect(event).toEqual({ type: 'facility.updated', county_code: '371424', actor: 'officer-371424' });
		const [row] = await sql`select doctors from facility where id = ${facility}`;
		expect(row.doctors).toBe(3);
	});

	it('answers a retry with the same seq and applies it once', async () => {
		const first = await post(callers['officer-371424'], followUp(own[0]), 'api-retry-1');
		const before = await eventCount(own[0]);
		const again = await post(callers['officer-371424'], followUp(own[0]), 'api-retry-1');
		expect([first.status, again.status]).toEqual([201, 201]);
		expect(again.body.seq).toBe(first.body.seq);
		expect(await eventCount(own[0])).toBe(before);
	});

	it('refuses a patient of another county with 403, names nothing, writes nothing', async () => {
		const written = async () =>
			(await sql`select (select count(*) from event where payload ->> 'patient' = ${other})::int as events,
				(select count(*) from audit_log where entity = 'patient' and entity_id = ${other})::int as audits`)[0];
		const before = await written();
		const res = await post(callers['officer-371424'], { type: 'patient.treated', payload: { patient: other } }, 'api-other-county');
		expect(res.status).toBe(403);
		expect(res.text).not.toContain('371425');
		expect(res.text).not.toContain('齐河');
		expect(await written()).toEqual(before);
		expect((await sql`select count(*)::int as n from event where idempotency_key = 'officer-371424:api-other-county'`)[0].n).toBe(0);
	});

	it('answers a subject that does not exist as one of another county', async () => {
		const missing = await post(callers['officer-371424'], followUp('NO-SUCH-PATIENT'));
		const elsewhere = await post(callers['officer-371424'], followUp(other));
		expect([missing.status, missing.body]).toEqual([403, elsewhere.body]);
	});

	it('answers 422 with the fields at fault', async () => {
		const bad = await post(callers['officer-371424'], { type: 'facility.updated', payload: { facility, doctors: -2, standard_met: 'yes' } });
		expect(bad.status).toBe(422);
		expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['payload.doctors', 'payload.standard_met']);
		const type = await post(callers['officer-371424'], { type: 'patient.teleported', payload: {} });
		expect(type.status).toBe(422);
		expect(type.body.error.details[0].field).toBe('type');
		const key = await post(callers['officer-371424'], followUp(own[1]), 'k'.repeat(101));
		expect(key.status).toBe(422);
		expect(key.body.error.details[0].field).toBe('Idempotency-Key');
	});

	it.each(['leader', 'admin', 'inspector-1'])('refuses %s with 403', async (name) => {
		const before = await eventCount(own[2]);
		const res = await post(callers[name], followUp(own[2]));
		expect(res.status).toBe(403);
		expect(await eventCount(own[2])).toBe(before);
	});

	it('takes no kiosk token for a write', async () => {
		const before = await eventCount(own[2]);
		expect((await post(kiosk, followUp(own[2]))).status).toBe(401);
		expect(await eventCount(own[2])).toBe(before);
	});

	it('refuses an anonymous caller with 401', async () => {
		expect((await post({}, followUp(own[2]))).status).toBe(401);
	});

	it('lets the dispatcher post in any county of the province', async () => {
		expect((await post(callers.dispatcher, followUp(other))).status).toBe(201);
	});
});

describe('GET /api/events', () => {
	it('lists a region\'s events in seq order', async () => {
		const res = await call('/api/events?region=371424&after=0&limit=1000', callers['officer-371424']);
		expect(res.status).toBe(200);
		const seqs = res.body.items.map((e: LiveEvent) => e.seq);
		expect(seqs.length).toBeGreaterThan(0);
		expect(seqs).toEqual([...seqs].sort((a: number, b: number) => a - b));
		expect(res.body.items.every((e: LiveEvent) => e.path.county === '371424')).toBe(true);
		expect(res.body.total).toBe(seqs.length);
		const after = await call(`/api/events?region=371424&after=${seqs[0]}&limit=1`, callers['officer-371424']);
		expect(after.body.items.map((e: LiveEvent) => e.seq)).toEqual([seqs[1]]);
	});

	it('refuses a region out of scope', async () => {
		expect((await call('/api/events?region=371425', callers['officer-371424'])).status).toBe(403);
		expect((await call('/api/events?region=371400', callers['officer-371424'])).status).toBe(403);
		expect((await call('/api/events?region=371424', kiosk)).status).toBe(200);
	});
});

// the authorisation matrix's rows for the replay endpoint: every role, in scope and out
describe.each([
	{ name: 'admin', inScope: ['370000', '371424'], outOfScope: ['620000'] },
	{ name: 'leader', inScope: ['370000', '371424'], outOfScope: ['640104'] },
	{ name: 'dispatcher', inScope: ['370000', '371424'], outOfScope: ['210102'] },
	{ name: 'officer-371424', inScope: ['371424'], outOfScope: ['371425', '371400', '370000'] },
	{ name: 'inspector-1', inScope: ['371402'], outOfScope: ['371424', '370000'] },
	{ name: 'kiosk(371400)', inScope: ['371400', '371424'], outOfScope: ['370000', '371502'] }
])('GET /api/events as $name', ({ name, inScope, outOfScope }) => {
	const caller = () => (name.startsWith('kiosk') ? kiosk : callers[name]);
	it.each(inScope)('reads %s', async (code) => {
		const res = await call(`/api/events?region=${code}&after=0&limit=5`, caller());
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ items: expect.any(Array), total: expect.any(Number) });
	});
	it.each(outOfScope)('is refused %s and sees no event of it', async (code) => {
		const res = await call(`/api/events?region=${code}&after=0`, caller());
		expect(res.status).toBe(403);
		expect(res.text).not.toContain('"items"');
	});
});

describe('the live stream', () => {
	let sockets: ClientSocket[] = [];
	afterAll(() => sockets.forEach((s) => s.close()));
	const open = async (caller: Caller) => {
		const socket = await connect(caller);
		sockets.push(socket);
		return socket;
	};

	it('gives a subscriber who joins mid-stream every event after its seq, once, in seq order', async () => {
		const officer = callers['officer-371424'];
		const posted: number[] = [];
		const writing = (async () => {
			for (let i = 0; i < 30; i++) {
				const batch = await Promise.all([post(officer, followUp(own[i + 5])), post(callers.dispatcher, followUp(own[(i + 17) % 40]))]);
				for (const res of batch) {
					expect(res.status).toBe(201);
					posted.push(res.body.seq);
				}
			}
		})();
		while (posted.length < 10) await settle(20);
		const after = Math.min(...posted);
		const socket = await open(officer);
		const received = collect(socket);
		const ack = await subscribe(socket, '371424', after);
		expect(ack.ok).toBe(true);
		await writing;
		await settle(1_000);
		const expected = (await sql`select seq from event where county_code = '371424' and seq > ${after} and not sealed order by seq`).map((r) => r.seq);
		expect(received.map((e) => e.seq)).toEqual(expected);
		if (ack.ok) expect(ack.replayed).toBeGreaterThan(0);
	});

	it("sends a county officer nothing from another county", async () => {
		const socket = await open(callers['officer-371424']);
		const received = collect(socket);
		const ack = await subscribe(socket, '371424');
		expect(ack).toMatchObject({ ok: true, replayed: 0 });
		expect((await subscribe(socket, '371425')).ok).toBe(false);
		const res = await post(callers.dispatcher, followUp(other));
		expect(res.status).toBe(201);
		const mine = await post(callers['officer-371424'], followUp(own[3]));
		await settle();
		// other files write into 临邑县 meanwhile: what arrives is every unsealed event of 临邑县
		// since the subscription (theirs too), and nothing else; the other county's never
		const head = ack.ok ? ack.head : 0;
		const last = Math.max(...received.map((e) => e.seq));
		const county = (await sql`select seq from event where county_code = '371424' and not sealed and seq > ${head} and seq <= ${last} order by seq`).map((r) => r.seq);
		expect(received.every((e) => e.path.county === '371424')).toBe(true);
		expect(received.map((e) => e.seq)).toEqual(county);
		// the officer's own event, and after it (in the same commit batch) its county's figures
		expect(county).toContain(mine.body.seq);
		expect(received.some((e) => e.type === 'indicators.changed' && e.seq > mine.body.seq)).toBe(true);
		expect(received.map((e) => e.seq)).not.toContain(res.body.seq);
	});

	it('streams province-wide to a province subscriber, with the new indicators', async () => {
		const socket = await open(callers.leader);
		const received = collect(socket);
		await subscribe(socket, '370000');
		const res = await post(callers.dispatcher, followUp(other));
		await settle();
		// the batch the write committed in ends with one indicators.changed per county it moved;
		// other files' writes in 临邑县's neighbour may share it, and then the latest is the cause
		const changed = received.find((e) => e.type === 'indicators.changed' && e.seq > res.body.seq && e.path.county === '371425');
		expect((changed?.payload as { cause: number }).cause).toBeGreaterThanOrEqual(res.body.seq);
		expect((changed?.payload as { regions: { code: string }[] }).regions.map((r) => r.code)).toEqual(['371425', '371400', '370000']);
	});

	it('gives a client that dropped its connection every event it missed, exactly once, when it comes back', async () => {
		const officer = callers['officer-371424'];
		const first = await open(officer);
		const seen = collect(first);
		const ack = await subscribe(first, '371424');
		if (!ack.ok) throw new Error('subscribe refused');
		const before = await post(officer, followUp(own[7]));
		await settle();
		const last = Math.max(ack.head, ...seen.map((e) => e.seq));
		expect(last).toBeGreaterThanOrEqual(before.body.seq);
		first.close();

		// written while the client is away
		const missed: number[] = [];
		for (let i = 0; i < 5; i++) missed.push((await post(officer, followUp(own[10 + i]))).body.seq);

		const again = await open(officer);
		const received = collect(again);
		const back = await subscribe(again, '371424', last);
		const after = await post(officer, followUp(own[20]));
		await settle(1_000);
		expect(back).toMatchObject({ ok: true });
		const seqs = received.map((e) => e.seq);
		// every missed event and its indicators.changed, then the live one, none twice
		for (const seq of missed) expect(seqs).toContain(seq);
		expect(seqs).toContain(after.body.seq);
		expect(new Set(seqs).size).toBe(seqs.length);
		expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
		expect(seqs.every((seq) => seq > last)).toBe(true);
	});
});
