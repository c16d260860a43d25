// Batched delivery (SPEC §5): a subscriber that asks for batches gets one `events` message per
// commit batch, with `indicators.changed` folded to the latest values per region, and the same
// events as a subscriber of single `event` messages, cut alike to what its scope may read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, call, connect, login, subscribe, type Caller, type ClientSocket } from '../helpers/api';
import { ACCOUNT_PASSWORD, createAccount } from '../helpers/accounts';
import type { LiveEvent } from '../../src/lib/types/events';
import type { EventBatch, StreamEvent } from '../../src/lib/types/socket';

const sql = appDatabase();
const suffix = Math.random().toString(36).slice(2, 7);
// two counties of 德州市 (371400) that no other test file writes to: their indicators.changed
// carry the same city and province, which a batch folds
const COUNTY = '371426';
const SIBLING = '371428';
const OFFICER = `officer-stream-${suffix}`;
const callers: Record<string, Caller> = {};
let patients: Record<string, string[]> = {};
const sockets: ClientSocket[] = [];

type Changed = LiveEvent<'indicators.changed'>;

interface Follower {
	singles: StreamEvent[];
	batches: EventBatch[];
}

/** A socket of `caller` on `region`, from `after`: in single `event` messages, or in batches. */
async function follow(caller: Caller, region: string, after: number | undefined, batch: boolean): Promise<Follower> {
	const socket = await connect(caller);
	sockets.push(socket);
	const follower: Follower = { singles: [], batches: [] };
	socket.on('event', (event) => follower.singles.push(event));
	socket.on('events', (message) => follower.batches.push(message));
	const ack = await subscribe(socket, region, after, { batch });
	expect(ack.ok).toBe(true);
	return follower;
}

/**
 * The same events folded as the SPEC says, written apart from the server's: of each region the
 * values of the last `indicators.changed` that carries it; an event left with no region goes.
 */
function folded(events: LiveEvent[]): LiveEvent[] {
	const latest = new Map<string, number>();
	events.forEach((event, i) => {
		if (event.type === 'indicators.changed') for (const region of (event as Changed).payload.regions) latest.set(region.code, i);
	});
	return events.flatMap((event, i): LiveEvent[] => {
		if (event.type !== 'indicators.changed') return [event];
		const changed = event as Changed;
		const regions = changed.payload.regions.filter((region) => latest.get(region.code) === i);
		return regions.length ? [{ ...changed, payload: { ...changed.payload, regions } }] : [];
	});
}

const figuresIn = (events: LiveEvent[]) => events.reduce((n, event) => n + (event.type === 'indicators.changed' ? (event as Changed).payload.regions.length : 0), 0);
const withoutPrev = ({ prev: _, ...event }: StreamEvent): LiveEvent => event;
const batchEvents = (batches: EventBatch[]) => batches.flatMap((batch) => batch.events);

/** Waits until `done` holds, for at most 15 s. */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
	const deadline = Date.now() + 15_000;
	while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Seqs after `after` up to `to` that a viewer sees in a region (`where`: the region and seal condition). */
async function expectedSeqs(after: number, to: number, where: 'county' | 'province' | 'province-open', region: string): Promise<number[]> {
	const rows =
		where === 'county'
			? await sql`select seq from event where seq > ${after} and seq <= ${to} and county_code = ${region} and not sealed order by seq`
			: where === 'province'
				? await sql`select seq from event where seq > ${after} and seq <= ${to} and province_code = ${region} order by seq`
				: await sql`select seq from event where seq > ${after} and seq <= ${to} and province_code = ${region} and not sealed order by seq`;
	return rows.map((row) => row.seq);
}

/**
 * Both followers have everything up to the last batch's `to`; then: the batches' chain and
 * ranges hold, each batch is the single events of its range folded, and the single events are
 * what the log holds for the viewer. Returns the number of regions' figures folding left out.
 */
async function sameStream(single: Follower, batched: Follower, after: number, where: 'county' | 'province' | 'province-open', region: string): Promise<number> {
	await until(() => batched.batches.length > 0);
	// what has arrived so far: more arrives meanwhile (other files write to the same server)
	const batches = batched.batches.slice();
	const to = batches[batches.length - 1].to;
	const want = await expectedSeqs(after, to, where, region);
	await until(() => single.singles.filter((event) => event.seq <= to).length >= want.length);
	const singles = single.singles.filter((event) => event.seq <= to);
	expect(singles.map((event) => event.seq)).toEqual(want);
	singles.forEach((event, i) => expect(event.prev).toBe(i ? singles[i - 1].seq : after));
	let left = 0;
	batches.forEach((batch, i) => {
		expect(batch.prev).toBe(i ? batches[i - 1].to : after);
		expect(batch.from).toBeGreaterThan(batch.prev!);
		expect(batch.to).toBeGreaterThanOrEqual(batch.from);
		const range = singles.filter((event) => event.seq >= batch.from && event.seq <= batch.to).map(withoutPrev);
		expect(batch.events).toEqual(folded(range));
		left += figuresIn(range) - figuresIn(batch.events);
	});
	// every single event lies in some batch's range
	expect(singles.every((event) => batches.some((batch) => event.seq >= batch.from && event.seq <= batch.to))).toBe(true);
	return left;
}

const followUp = (patient: string, date: string) => ({ type: 'patient.followed_up', payload: { patient, date } });
const post = (caller: Caller, json: unknown) => call('/api/events', { ...caller, method: 'POST', json });
const head = async () => Number((await sql`select coalesce(max(seq), 0) as seq from event`)[0].seq);

/** Concurrent writers into both counties: single POSTs, batch POSTs, and the inspector's sealed team events. */
async function write(rounds: number, day: string): Promise<void> {
	for (let round = 0; round < rounds; round++) {
		const singles = Array.from({ length: 12 }, (_, i) => post(callers.dispatcher, followUp(patients[i % 2 ? SIBLING : COUNTY][(round * 12 + i) % 60], day)));
		const items = Array.from({ length: 20 }, (_, i) => followUp(patients[i % 3 ? COUNTY : SIBLING][60 + ((round * 20 + i) % 60)], day));
		const batch = call('/api/events/batch', { ...callers.dispatcher, method: 'POST', json: { events: items } });
		const team = post(callers['inspector-1'], { type: 'team.location', payload: { team: 'team-1', lon: 116.5 + round / 100, lat: 37.2 } });
		const answers = await Promise.all([...singles, batch, team]);
		for (const res of answers) expect([200, 201]).toContain(res.status);
	}
}

beforeAll(async () => {
	let address = 70;
	for (const name of ['admin', 'leader', 'dispatcher', 'inspector-1']) callers[name] = { cookie: await login(name, undefined, `127.0.46.${address++}`) };
	await createAccount(sql, OFFICER, 'county_officer', { region: COUNTY });
	callers.officer = { cookie: await login(OFFICER, ACCOUNT_PASSWORD, '127.0.46.90') };
	const token = await call('/api/kiosk-tokens', { ...callers.admin, method: 'POST', json: { name: `批量推送测试 ${suffix}`, region: '370000' } });
	expect(token.status).toBe(201);
	callers.kiosk = { bearer: token.body.token };
	for (const county of [COUNTY, SIBLING]) patients[county] = (await sql`select id from patient where county_code = ${county} order by id limit 120`).map((row) => row.id);
	expect([patients[COUNTY].length, patients[SIBLING].length]).toEqual([120, 120]);
});

afterAll(async () => {
	sockets.forEach((socket) => socket.close());
	await sql.end();
});

describe('batched delivery', () => {
	it('gives batch-taking and single-event subscribers the same events under concurrent writers, folded per batch', async () => {
		const after = await head();
		const followers = {
			leader: await Promise.all([follow(callers.leader, '370000', after, false), follow(callers.leader, '370000', after, true)]),
			officer: await Promise.all([follow(callers.officer, COUNTY, after, false), follow(callers.officer, COUNTY, after, true)]),
			kiosk: await Promise.all([follow(callers.kiosk, '370000', after, false), follow(callers.kiosk, '370000', after, true)])
		};
		await write(6, '2020-05-01');
		await new Promise((r) => setTimeout(r, 500));
		const leftOut = await sameStream(...followers.leader, after, 'province', '370000');
		await sameStream(...followers.officer, after, 'county', COUNTY);
		await sameStream(...followers.kiosk, after, 'province-open', '370000');
		// batches formed: two counties' figures in one commit, the city's and the province's folded
		expect(leftOut).toBeGreaterThan(0);
		expect(followers.leader[1].batches.some((batch) => batch.events.length > 1)).toBe(true);
		// the leader reads the team's movements; the kiosk, in the same batches, does not
		expect(batchEvents(followers.leader[1].batches).some((event) => event.type === 'team.location')).toBe(true);
		expect(batchEvents(followers.kiosk[1].batches).some((event) => event.type.startsWith('team.'))).toBe(false);
	});

	it("gives a county's batch subscriber no sealed event and no figures beyond its county, in a replay and live", async () => {
		const after = await head();
		const writing = write(4, '2020-05-02');
		// joins mid-stream: the replay's commits are folded together
		await new Promise((r) => setTimeout(r, 300));
		const officer = await follow(callers.officer, COUNTY, after, true);
		await writing;
		await until(async () => {
			const last = officer.batches[officer.batches.length - 1]?.to ?? 0;
			return last >= Number((await sql`select coalesce(max(seq), 0) as seq from event where county_code = ${COUNTY}`)[0].seq);
		});
		const events = batchEvents(officer.batches);
		expect(events.length).toBeGreaterThan(0);
		expect(events.every((event) => event.path.county === COUNTY)).toBe(true);
		expect(events.some((event) => event.type.startsWith('team.'))).toBe(false);
		const changed = events.filter((event): event is Changed => event.type === 'indicators.changed');
		expect(changed.length).toBeGreaterThan(0);
		for (const event of changed) expect(event.payload.regions.map((region) => [region.code, region.level])).toEqual([[COUNTY, 'county']]);
		// one county's figures: at most one indicators.changed in any message, the latest
		for (const batch of officer.batches) expect(batch.events.filter((event) => event.type === 'indicators.changed').length).toBeLessThanOrEqual(1);
		const [latest] = await sql`select max(seq)::int as seq from event where county_code = ${COUNTY} and type = 'indicators.changed' and seq <= ${officer.batches.at(-1)!.to}`;
		expect(changed.at(-1)!.seq).toBe(latest.seq);
	});

	it('replays what a batch subscriber missed when it comes back with `after`, in batches, each event once', async () => {
		const first = await follow(callers.officer, COUNTY, undefined, true);
		await post(callers.dispatcher, followUp(patients[COUNTY][5], '2020-05-03'));
		await until(() => first.batches.length > 0);
		const last = first.batches.at(-1)!.to;
		sockets.at(-1)!.close();
		const missed: number[] = [];
		for (let i = 0; i < 5; i++) missed.push((await post(callers.dispatcher, followUp(patients[COUNTY][6 + i], '2020-05-03'))).body.seq);

		const again = await follow(callers.officer, COUNTY, last, true);
		const live = (await post(callers.dispatcher, followUp(patients[COUNTY][20], '2020-05-03'))).body.seq;
		await until(() => (again.batches.at(-1)?.to ?? 0) >= live);
		expect(again.singles).toEqual([]);
		// the replay starts where the client said it was; the live batch goes on from the replay's end
		expect(again.batches[0].prev).toBe(last);
		again.batches.forEach((batch, i) => i && expect(batch.prev).toBe(again.batches[i - 1].to));
		const seqs = batchEvents(again.batches).map((event) => event.seq);
		for (const seq of [...missed, live]) expect(seqs).toContain(seq);
		expect(new Set(seqs).size).toBe(seqs.length);
		expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
		expect(seqs.every((seq) => seq > last)).toBe(true);
		// the replay's five commits of the county: one indicators.changed left, the latest
		const replay = again.batches[0];
		expect(replay.events.filter((event) => event.type === 'indicators.changed')).toHaveLength(1);
		expect(replay.events.filter((event) => event.type === 'patient.followed_up' && event.seq <= missed[4]).map((event) => event.seq)).toEqual(missed);
	});
});
