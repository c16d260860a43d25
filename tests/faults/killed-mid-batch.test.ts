import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { Db } from '../../src/lib/server/db';
import { counterDrift } from '../../src/lib/server/indicators/counters';
import { startAppServer, type AppServer } from '../setup/app-server';
import { login, request, sleep, type Answer } from './client';

/**
 * The group-commit loop applies many writes in one transaction. A process killed while such
 * batches are in flight must lose no write it acknowledged and leave no part of a batch: each
 * transaction's records, counters, audit rows and events are all there or none of them.
 */

const SINGLE_WRITERS = 32;
const BATCH_WRITERS = 4;
const BATCH_ITEMS = 16;
/** the kill comes once this many writes are acknowledged and several batches held more than one */
const ACKED_BEFORE_KILL = 200;
const SHARED_COMMITS_BEFORE_KILL = 5;

/** One write as the client sent it: its key, its facility and figure, and what it was answered. */
interface Sent {
	key: string;
	facility: string;
	doctors: number;
	/** the seq it was acknowledged with; null: no answer came (in flight when the process died) */
	seq: number | null;
}

const facilityUpdate = (facility: string, doctors: number) => ({ type: 'facility.updated', payload: { facility, doctors } });

function postOne(baseUrl: string, cookie: string, write: Sent): Promise<Answer> {
	return request(baseUrl, '/api/events', {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie, 'idempotency-key': write.key },
		body: JSON.stringify(facilityUpdate(write.facility, write.doctors))
	});
}

function postBatch(baseUrl: string, cookie: string, writes: Sent[]): Promise<Answer> {
	return request(baseUrl, '/api/events/batch', {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ events: writes.map((write) => ({ ...facilityUpdate(write.facility, write.doctors), key: write.key })) })
	});
}

describe('a server process killed while batches commit', () => {
	let server: AppServer;
	let db: postgres.Sql;
	beforeAll(async () => {
		server = await startAppServer({ seed: 'demo' });
		db = postgres(server.dbUrl, { max: 2, onnotice: () => {}, types: { bigint: { to: 20, from: [20], serialize: String, parse: Number } } as never });
	});
	afterAll(async () => {
		await db?.end({ timeout: 1 });
		await server?.stop();
	});

	it('keeps every acknowledged write, leaves no half batch, and applies a retried key once', async () => {
		const dispatcher = await login(server.baseUrl, 'dispatcher');
		const clinics = (
			await db`select id from facility where kind = 'village_clinic' and county_code like '37%' order by id limit ${SINGLE_WRITERS + BATCH_WRITERS * BATCH_ITEMS}`
		).map((r) => r.id as string);
		expect(clinics).toHaveLength(SINGLE_WRITERS + BATCH_WRITERS * BATCH_ITEMS);
		const startingDoctors = new Map(
			(await db`select id, doctors from facility where id = any(${clinics}::text[])`).map((r) => [r.id as string, Number(r.doctors)])
		);
		const [{ head }] = await db`select coalesce(max(seq), 0)::int as head from event`;
		const [{ audited }] = await db`select coalesce(max(id), 0)::int as audited from audit_log`;
		const since = { head, audited };

		// every writer works on facilities of its own, so that writes of different writers share batches
		const singles: Sent[] = [];
		const batches: Sent[][] = [];
		let acked = 0;
		let killing = false;
		const unexpected: string[] = [];
		const single = async (writer: number) => {
			for (let i = 0; !killing; i++) {
				const write: Sent = { key: `kill-s${writer}-${i}`, facility: clinics[writer], doctors: (writer + i) % 5, seq: null };
				singles.push(write);
				const answer = await postOne(server.baseUrl, dispatcher, write);
				if (answer.status === 201) {
					write.seq = answer.body.seq;
					acked++;
				} else if (answer.status !== 0) unexpected.push(`${answer.status} ${JSON.stringify(answer.body)}`);
			}
		};
		const batch = async (writer: number) => {
			for (let i = 0; !killing; i++) {
				const writes = Array.from({ length: BATCH_ITEMS }, (_, j): Sent => {
					const facility = clinics[SINGLE_WRITERS + writer * BATCH_ITEMS + j];
					return { key: `kill-b${writer}-${i}-${j}`, facility, doctors: (writer + i + j) % 5, seq: null };
				});
				batches.push(writes);
				const answer = await postBatch(server.baseUrl, dispatcher, writes);
				if (answer.status === 200) {
					answer.body.items.forEach((item: { seq?: number; error?: unknown }, j: number) => {
						if (item.seq !== undefined) {
							writes[j].seq = item.seq;
							acked++;
						} else unexpected.push(`item ${JSON.stringify(item)}`);
					});
				} else if (answer.status !== 0) unexpected.push(`${answer.status} ${JSON.stringify(answer.body)}`);
			}
		};
		const load = Promise.all([
			...Array.from({ length: SINGLE_WRITERS }, (_, w) => single(w)),
			...Array.from({ length: BATCH_WRITERS }, (_, w) => batch(w))
		]);

		// writes committed in one transaction share its xmin: wait until several commits held more than one write
		const sharedCommits = async () =>
			(
				await db`
					select count(*)::int as n from (
						select xmin::text from event where seq > ${head} and idempotency_key is not null group by 1 having count(*) > 1
					) shared`
			)[0].n as number;
		const until = Date.now() + 90_000;
		while ((acked < ACKED_BEFORE_KILL || (await sharedCommits()) < SHARED_COMMITS_BEFORE_KILL) && Date.now() < until) await sleep(50);
		expect(acked).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);
		const cut = await batchesCut(db, server);
		killing = true;
		await server.kill('SIGKILL');
		await load;
		expect(unexpected).toEqual([]);
		const all = [...singles, ...batches.flat()];
		const unanswered = all.filter((write) => write.seq === null);
		// the kill came with writes on their way: some were never answered
		expect(unanswered.length).toBeGreaterThan(0);

		await server.restart();
		// the batches the kill cut short were rolled back whole
		if (cut.length) {
			const outcomes = await db`
				select txid_status((txid_snapshot_xmax(txid_current_snapshot()) >> 32 << 32) + x::bigint) as status
				from unnest(${cut}::text[]) x`;
			expect(outcomes.map((row) => row.status)).toEqual(cut.map(() => 'aborted'));
		}
		const logged = async () =>
			new Map(
				(await db`select seq, idempotency_key, payload from event where seq > ${head} and idempotency_key like 'dispatcher:kill-%'`).map((r) => [
					String(r.idempotency_key).slice('dispatcher:'.length),
					{ seq: Number(r.seq), payload: r.payload as { facility: string; doctors: number } }
				])
			);
		const before = await logged();

		// every acknowledged write is in the log under its key, with its seq and its content
		for (const write of all.filter((w) => w.seq !== null)) {
			const found = before.get(write.key);
			expect(found?.seq, write.key).toBe(write.seq);
			expect(found?.payload).toMatchObject({ facility: write.facility, doctors: write.doctors });
		}
		// and nothing is there that was not sent
		const sentKeys = new Set(all.map((write) => write.key));
		for (const key of before.keys()) expect(sentKeys.has(key), key).toBe(true);

		await expectWhole(db, since);
		// each facility is as its last logged write left it: a write that is not in the log changed nothing
		const expectRecords = async (log: Map<string, { seq: number; payload: { facility: string; doctors: number } }>) => {
			const last = new Map<string, { seq: number; doctors: number }>();
			for (const { seq, payload } of log.values()) if ((last.get(payload.facility)?.seq ?? 0) < seq) last.set(payload.facility, { seq, doctors: payload.doctors });
			const now = await db`select id, doctors from facility where id = any(${clinics}::text[])`;
			for (const row of now) expect(Number(row.doctors), row.id).toBe(last.get(row.id)?.doctors ?? startingDoctors.get(row.id));
		};
		await expectRecords(before);
		const [{ largest, shared }] = await db`
			select coalesce(max(n), 0)::int as largest, count(*) filter (where n > 1)::int as shared
			from (select count(*) as n from event where seq > ${head} and idempotency_key is not null group by xmin::text) c`;
		console.log(JSON.stringify({ cutMidBatch: cut.length, acknowledged: all.length - unanswered.length, unanswered: unanswered.length, logged: before.size, sharedCommits: shared, largestCommit: largest }));
		expect(shared).toBeGreaterThanOrEqual(SHARED_COMMITS_BEFORE_KILL);

		// every write is sent again with its key: those in the log answer with their seq, the rest are applied now, once
		const retries: (() => Promise<{ key: string; seq: number }[]>)[] = [
			...singles.map((write) => async () => {
				const answer = await postOne(server.baseUrl, dispatcher, write);
				expect(answer.status, JSON.stringify(answer.body)).toBe(201);
				return [{ key: write.key, seq: answer.body.seq as number }];
			}),
			...batches.map((writes) => async () => {
				const answer = await postBatch(server.baseUrl, dispatcher, writes);
				expect(answer.status, JSON.stringify(answer.body)).toBe(200);
				return writes.map((write, j) => ({ key: write.key, seq: answer.body.items[j].seq as number }));
			})
		];
		const retried: { key: string; seq: number }[][] = [];
		await Promise.all(
			Array.from({ length: SINGLE_WRITERS }, async () => {
				for (let next = retries.shift(); next; next = retries.shift()) retried.push(await next());
			})
		);
		const after = await logged();
		expect(after.size).toBe(sentKeys.size);
		for (const { key, seq } of retried.flat()) {
			expect(after.get(key)?.seq, key).toBe(seq);
			if (before.has(key)) expect(seq, key).toBe(before.get(key)!.seq);
		}
		// one event per write, whatever was retried
		const [{ field }] = await db`select count(*)::int as field from event where seq > ${head} and type = 'facility.updated'`;
		expect(field).toBe(sentKeys.size);
		await expectWhole(db, since);
		await expectRecords(after);
	});
});

/**
 * On PostgreSQL, a moment at which a batch is half made: the server process is frozen (SIGSTOP)
 * until one of its transactions has written and waits for the rest of its batch, its COMMIT
 * not sent; the ids of those transactions, with the process still frozen for the kill. (The
 * embedded database serves one connection and shows no such moment: there the kill comes at once.)
 */
async function batchesCut(db: postgres.Sql, server: AppServer): Promise<string[]> {
	if (!process.env.DATABASE_URL) return [];
	const until = Date.now() + 30_000;
	while (Date.now() < until) {
		server.child.kill('SIGSTOP');
		// whatever the process had sent is done by now: what still waits in a transaction waits for it
		await sleep(200);
		const open = await db`
			select backend_xid::text as xid from pg_stat_activity
			where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null and state like 'idle in transaction%'`;
		if (open.length) return open.map((row) => row.xid as string);
		server.child.kill('SIGCONT');
		await sleep(20 + Math.random() * 80);
	}
	throw new Error('no batch was caught half made');
}

/**
 * The log has no hole, and every transaction since `head` is whole: its events are one run of
 * seqs, each of its field events has its audit row and its county's `indicators.changed` in the
 * same transaction, and the counters agree with a recomputation from the records.
 */
async function expectWhole(db: postgres.Sql, { head, audited }: { head: number; audited: number }): Promise<void> {
	const [{ n, first, top }] = await db`select count(*)::int as n, min(seq)::int as first, max(seq)::int as top from event`;
	expect(first).toBe(1);
	expect(n).toBe(top);
	const broken = await db`
		with e as (
			select xmin::text as tx, seq, type, county_code, idempotency_key from event where seq > ${head}
		), a as (
			select xmin::text as tx, count(*)::int as audits from audit_log
			where id > ${audited} and action = 'facility.updated' and entity = 'facility' group by 1
		), t as (
			select tx, min(seq) as low, max(seq) as high, count(*)::int as events,
				count(*) filter (where type = 'facility.updated')::int as field,
				array_agg(distinct county_code) filter (where type = 'facility.updated') as moved,
				array_agg(distinct county_code) filter (where type = 'indicators.changed') as figures
			from e group by tx
		)
		select t.tx, t.low, t.high, t.events, t.field, coalesce(a.audits, 0) as audits, t.moved, t.figures
		from t left join a on a.tx = t.tx
		where t.high - t.low + 1 <> t.events
			or t.field <> coalesce(a.audits, 0)
			or not (coalesce(t.moved, '{}') <@ coalesce(t.figures, '{}'))`;
	expect(broken).toEqual([]);
	// audit rows of writes whose events are not there
	const orphans = await db`
		select a.id from audit_log a
		where a.id > ${audited} and not exists (select 1 from event e where e.seq > ${head} and e.xmin::text = a.xmin::text)`;
	expect(orphans).toEqual([]);
	expect(await counterDrift(db as unknown as Db)).toEqual([]);
}
