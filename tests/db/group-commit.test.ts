// Group commit (events/write/commit.ts): writes that queue while a batch is in flight commit together in
// one transaction, each in its own savepoint, with one insert of events and one of audit rows; a
// refused or failing write is answered alone and the others commit; seqs stay gapless and
// commit-ordered, counters agree with a recomputation, idempotency keys hold within and across batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { addFacility, addPatient, addTownship, addVillage, buildProvince, refusal } from '../helpers/fixtures';
import type { Viewer } from '../../src/lib/server/auth/viewer';
import { counterDrift } from '../../src/lib/server/indicators/counters';
import { batchStats, commitWrite } from '../../src/lib/server/events/write/commit';
import { commitPlan, postEvent, SYSTEM } from '../../src/lib/server/events/write/post';
import type { Plan } from '../../src/lib/server/events/write/planners/plan';
import type { PostedEvent } from '../../src/lib/server/events/types';
import type { Db, Sql } from '../../src/lib/server/db';

const user = (username: string, scope: string): Viewer => ({
	kind: 'user',
	id: 1,
	username,
	role: 'county_officer',
	scope: { level: 'county', code: scope, name: scope },
	team: null,
	sessionId: 'session'
});

const officer = user('officer-990101', '990101');
const WRITERS = 50;

async function build(sql: Sql) {
	await buildProvince(sql);
	await addTownship(sql, '990101', { code: '990101001' });
	await addVillage(sql, '990101001', { code: '990101001001' });
	await addVillage(sql, '990101001', { code: '990101001002' });
	await addTownship(sql, '990102', { code: '990102001' });
	await addVillage(sql, '990102001', { code: '990102001001' });
	for (let i = 0; i < 120; i++) {
		await addPatient(sql, { id: `G${String(i).padStart(3, '0')}`, village: i % 2 ? '990101001001' : '990101001002', category: 'chronic' });
	}
	await addPatient(sql, { id: 'ELSEWHERE', village: '990102001001', category: 'chronic' });
	await addFacility(sql, { id: 'clinic-g', kind: 'village_clinic', region: '990101001001' });
	await sql`select recompute_counters()`;
}

const signed = (patient: string, date = '2020-03-02'): PostedEvent => ({ type: 'patient.signed', payload: { patient, date } });
const followed = (patient: string, date = '2020-03-02'): PostedEvent => ({ type: 'patient.followed_up', payload: { patient, date } });

/** A change of nothing that writes one event about `facility`, or fails with `fails` in its savepoint. */
const plain =
	(facility: string, fails?: (tx: Db) => Promise<unknown>) =>
	async (tx: Db): Promise<Plan> => ({
		entity: 'test',
		entityId: 'x',
		subject: '990101001001',
		counts: false,
		before: null,
		apply: async (tx) => {
			if (fails) await fails(tx);
			return { id: 1 };
		},
		events: () => [{ type: 'facility.updated', payload: { facility, kind: 'village_clinic', doctors: 0, licensed_doctors: 0, standard_met: false } }]
	});

describe('group commit', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
		await build(db.sql);
	});
	afterAll(() => db.close());

	const head = async () => (await db.sql`select coalesce(max(seq), 0) as seq from event`)[0].seq as number;
	const stats = () => ({ ...batchStats });

	it(`keeps seq gapless and commit-ordered under ${WRITERS} concurrent writers, in batches of more than one`, async () => {
		const start = await head();
		const before = stats();
		let done = false;
		const seen: number[] = [];
		const reader = (async () => {
			let last = start;
			while (!done) {
				const rows = await db.sql`select seq from event where seq > ${last} order by seq`;
				// a reader that has seen N has seen everything below N
				rows.forEach((row, i) => expect(row.seq).toBe(last + i + 1));
				for (const row of rows) seen.push(row.seq);
				if (rows.length) last = rows[rows.length - 1].seq;
				await new Promise((r) => setTimeout(r, 2));
			}
		})();
		// writers arriving over time, not all in one tick: batches form while one is in flight
		const answers = await Promise.all(
			Array.from({ length: WRITERS }, async (_, i) => {
				await new Promise((r) => setTimeout(r, i % 10));
				return postEvent(officer, i % 3 ? signed(`G${String(i).padStart(3, '0')}`) : followed(`G${String(i).padStart(3, '0')}`), null, db.sql);
			})
		);
		done = true;
		await reader;
		const rows = await db.sql`select seq, type, payload from event where seq > ${start} order by seq`;
		const all = rows.map((row) => row.seq as number);
		expect(all).toEqual(Array.from({ length: all.length }, (_, i) => start + i + 1));
		expect(seen).toEqual(all.slice(0, seen.length));
		const own = rows.filter((row) => row.type !== 'indicators.changed');
		expect(own.map((row) => row.seq).sort((a, b) => a - b)).toEqual(answers.map((a) => a.seq).sort((a, b) => a - b));
		const after = stats();
		// every write went through a batch, and some batches held more than one
		expect(after.writes - before.writes).toBe(WRITERS);
		expect(after.batches - before.batches).toBeLessThan(WRITERS);
		expect(after.largest).toBeGreaterThan(1);
		// one indicators.changed per county per batch, not per write; each names a cause in its batch
		const figures = rows.filter((row) => row.type === 'indicators.changed');
		expect(figures.length).toBe(after.batches - before.batches);
		for (const row of figures) expect(own.map((r) => r.seq)).toContain(row.payload.cause);
		expect(await counterDrift(db.sql)).toEqual([]);
		const [{ n }] = await db.sql`select count(*)::int as n from audit_log where action in ('patient.signed', 'patient.followed_up') and entity_id like 'G%'`;
		expect(n).toBe(WRITERS);
	});

	it('commits the others of a batch and refuses only the write that fails: out of scope, not there, a database error', async () => {
		const start = await head();
		const before = stats();
		const [audits] = await db.sql`select count(*)::int as n from audit_log`;
		// queued in one tick: one batch
		const writes = [
			postEvent(officer, signed('G100', '2020-04-01'), null, db.sql),
			postEvent(officer, signed('ELSEWHERE', '2020-04-01'), null, db.sql),
			commitPlan(SYSTEM, 'test', async () => null, db.sql),
			commitPlan(SYSTEM, 'test', plain('x', (tx) => tx`select 1 / 0`), db.sql),
			postEvent(officer, signed('G101', '2020-04-01'), null, db.sql)
		];
		const settled = await Promise.allSettled(writes);
		expect(stats().batches - before.batches).toBe(1);
		expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
		expect((settled[1] as PromiseRejectedResult).reason.status).toBe(403);
		expect((settled[2] as PromiseRejectedResult).reason.status).toBe(404);
		expect((settled[3] as PromiseRejectedResult).reason.code).toBe('22012');
		const rows = await db.sql`select seq, type, payload from event where seq > ${start} order by seq`;
		expect(rows.map((r) => [r.type, r.payload.patient ?? null])).toEqual([
			['patient.signed', 'G100'],
			['patient.signed', 'G101'],
			['indicators.changed', null]
		]);
		const patients = await db.sql`select id, signed_on::text as day from patient where id in ('G100', 'G101', 'ELSEWHERE') order by id`;
		expect(patients.map((p) => [p.id, p.day])).toEqual([
			['ELSEWHERE', null],
			['G100', '2020-04-01'],
			['G101', '2020-04-01']
		]);
		const [after] = await db.sql`select count(*)::int as n from audit_log`;
		expect(after.n - audits.n).toBe(2);
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('sends the change of a write alone in its batch right behind its reads, and rolls all of it back when the write is refused', async () => {
		const start = await head();
		const before = stats();
		const [audits] = await db.sql`select count(*)::int as n from audit_log`;
		const [counter] = await db.sql`select counts::text as counts from indicator_counter where code = '990102'`;
		// one at a time: each write is its batch alone
		const signedAlone = await postEvent(officer, signed('G110', '2020-04-05'), null, db.sql);
		const outOfScope = await refusal(postEvent(officer, signed('ELSEWHERE', '2020-04-05'), null, db.sql));
		const noSuchPatient = await refusal(postEvent(officer, signed('NOBODY', '2020-04-05'), null, db.sql));
		const clinic = await postEvent(officer, { type: 'facility.updated', payload: { facility: 'clinic-g', doctors: 3 } }, null, db.sql);
		expect(stats().early - before.early).toBe(4);
		expect([outOfScope.status, noSuchPatient.status]).toEqual([403, 403]);
		const rows = await db.sql`select seq, type from event where seq > ${start} order by seq`;
		expect(rows.map((r) => r.type)).toEqual(['patient.signed', 'indicators.changed', 'facility.updated', 'indicators.changed']);
		expect([signedAlone.seq, clinic.seq]).toEqual([rows[0].seq, rows[2].seq]);
		// the refused write's update ran in its transaction, and went with it
		const [elsewhere] = await db.sql`select signed_on from patient where id = 'ELSEWHERE'`;
		expect(elsewhere.signed_on).toBeNull();
		const [{ doctors }] = await db.sql`select doctors from facility where id = 'clinic-g'`;
		expect(doctors).toBe(3);
		const [after] = await db.sql`select count(*)::int as n from audit_log`;
		expect(after.n - audits.n).toBe(2);
		const [counterAfter] = await db.sql`select counts::text as counts from indicator_counter where code = '990102'`;
		expect(counterAfter.counts).toBe(counter.counts);
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('makes the pure writes of a batch together, and tries it again with a savepoint each when one fails in the database', async () => {
		const start = await head();
		const before = stats();
		const failing = commitWrite(db.sql, {
			subjects: [],
			pure: true,
			apply: async (tx) => {
				await tx`select 1 / 0`;
				throw new Error('unreachable');
			}
		});
		const writes = [
			postEvent(officer, signed('G105', '2020-04-03'), null, db.sql),
			failing,
			postEvent(officer, followed('G106', '2020-04-03'), null, db.sql),
			postEvent(officer, signed('ELSEWHERE', '2020-04-03'), null, db.sql)
		];
		const settled = await Promise.allSettled(writes);
		expect(stats().apart - before.apart).toBe(1);
		expect(stats().splits - before.splits).toBe(0);
		expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
		expect((settled[1] as PromiseRejectedResult).reason.code).toBe('22012');
		expect((settled[3] as PromiseRejectedResult).reason.status).toBe(403);
		const rows = await db.sql`select type, payload from event where seq > ${start} order by seq`;
		expect(rows.map((r) => [r.type, r.payload.patient ?? null])).toEqual([
			['patient.signed', 'G105'],
			['patient.followed_up', 'G106'],
			['indicators.changed', null]
		]);
		expect(await counterDrift(db.sql)).toEqual([]);
		// made together when none fails: one batch, no second try
		const again = stats();
		const ok = await Promise.all(['G107', 'G108', 'G109'].map((id) => postEvent(officer, signed(id, '2020-04-04'), null, db.sql)));
		expect(ok.map((posted) => posted.repeated)).toEqual([false, false, false]);
		expect(stats().batches - again.batches).toBe(1);
		expect(stats().apart - again.apart).toBe(0);
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('splits a batch whose shared insert fails and commits the half without the write that broke it', async () => {
		const start = await head();
		const before = stats();
		// PostgreSQL's jsonb holds no NUL character: the batch's one insert of events fails
		const writes = [
			postEvent(officer, signed('G102', '2020-04-02'), null, db.sql),
			commitPlan(SYSTEM, 'test', plain('nul\u0000'), db.sql),
			postEvent(officer, signed('G103', '2020-04-02'), null, db.sql),
			postEvent(officer, signed('G104', '2020-04-02'), null, db.sql)
		];
		const settled = await Promise.allSettled(writes);
		expect(stats().splits - before.splits).toBe(1);
		expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
		const rows = await db.sql`select type, payload from event where seq > ${start} and type <> 'indicators.changed' order by seq`;
		expect(rows.map((r) => r.payload.patient)).toEqual(['G103', 'G104']);
		const [g102] = await db.sql`select signed_on from patient where id = 'G102'`;
		expect(g102.signed_on).toBeNull();
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('answers a key sent twice in one go as a retry of the first, and the same key with another request as reused', async () => {
		const start = await head();
		const [first, again, other] = await Promise.allSettled([
			postEvent(officer, followed('G105'), 'gc-key-1', db.sql),
			postEvent(officer, followed('G105'), 'gc-key-1', db.sql),
			postEvent(officer, followed('G106'), 'gc-key-1', db.sql)
		]);
		expect(first).toEqual({ status: 'fulfilled', value: { seq: expect.any(Number), repeated: false } });
		expect(again).toEqual({ status: 'fulfilled', value: { seq: (first as PromiseFulfilledResult<{ seq: number }>).value.seq, repeated: true } });
		expect((other as PromiseRejectedResult).reason.code).toBe('idempotency_key_reused');
		// and across batches
		expect(await postEvent(officer, followed('G105'), 'gc-key-1', db.sql)).toEqual({ seq: (first as PromiseFulfilledResult<{ seq: number }>).value.seq, repeated: true });
		const [{ n }] = await db.sql`select count(*)::int as n from event where seq > ${start} and type <> 'indicators.changed'`;
		expect(n).toBe(1);
	});

	it('puts two writes on one subject in successive batches, in the order they came', async () => {
		const start = await head();
		const before = stats();
		const answers = await Promise.all([
			postEvent(officer, followed('G107', '2020-05-01'), null, db.sql),
			postEvent(officer, followed('G108', '2020-05-01'), null, db.sql),
			postEvent(officer, followed('G107', '2020-05-02'), null, db.sql)
		]);
		expect(stats().batches - before.batches).toBe(2);
		expect(answers[0].seq).toBeLessThan(answers[1].seq);
		expect(answers[1].seq).toBeLessThan(answers[2].seq);
		const [g107] = await db.sql`select followed_up_on::text as day from patient where id = 'G107'`;
		expect(g107.day).toBe('2020-05-02');
		const rows = await db.sql`select seq from event where seq > ${start} order by seq`;
		expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => start + i + 1));
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('queues again a write that lost a deadlock, and answers it once it commits; a write that keeps losing gets the error', async () => {
		const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });
		let tries = 0;
		const once = commitPlan(
			SYSTEM,
			'test',
			async (tx) => {
				if (++tries === 1) throw deadlock();
				return plain('retried')(tx);
			},
			db.sql
		);
		const always = commitPlan(
			SYSTEM,
			'test',
			async () => {
				throw deadlock();
			},
			db.sql
		);
		const [first, second] = await Promise.allSettled([once, always]);
		expect(tries).toBe(2);
		expect(first.status).toBe('fulfilled');
		expect((first as PromiseFulfilledResult<{ payload: unknown }[]>).value[0].payload).toMatchObject({ facility: 'retried' });
		expect((second as PromiseRejectedResult).reason.code).toBe('40P01');
	});

	it('refuses a write the planner refuses with its own answer, the batch unharmed', async () => {
		const error = await refusal(postEvent(officer, { type: 'facility.updated', payload: { facility: 'no-such-clinic', doctors: 1 } }, null, db.sql));
		expect(error.status).toBe(403);
		expect(await counterDrift(db.sql)).toEqual([]);
	});
});
