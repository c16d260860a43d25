import { transaction, type Db, type Sql } from '../../db';
import { auditAll, type Actor, type AuditEntry } from '../../auth/audit';
import { holdRecords, releaseUnits } from '../../indicators/counters';
import { ApiError, isUnavailable } from '../../http/errors';
import type { EventPath } from '$lib/types/events';
import { appendEvents, type NewEvent, type StoredEvent } from '../log';
import { publish } from '../stream/publish';

/**
 * Group commit: the one way a change reaches the event log. Writes queue up; one loop per
 * process (and database) takes every write that queued while the previous batch was in flight
 * (no timer: a write that finds the loop idle is a batch of one and waits for nothing), and
 * applies the batch in one transaction. Each write's change runs inside a savepoint of its own,
 * so one write refused by its planner (403, 404, 422) or failing in the database is rolled back
 * and answered alone; then the event lock is taken once, all the batch's audit rows and events
 * go in with one insert each, one `indicators.changed` per county the batch moved follows with
 * the values as they are at commit, and one COMMIT goes out in the same pipeline. Only after it
 * does any write get its answer, so an acknowledged write is as durable as before (SPEC §4),
 * and seqs stay gapless and commit-ordered (the event lock, `appendEvents`). A pure write that
 * finds the loop idle, a batch of one, sends its change in one write with its reads and is
 * rolled back whole should its checks refuse it (`Write.apply`'s `early`): under light load a
 * write takes two round trips, the second ending in the COMMIT.
 */

/** The county whose `indicators.changed` follows a change: its path, and what caused it. */
export interface CountyMove {
	path: EventPath;
	/** the index, in the write's own events, of the event named as the cause (null: none of its own) */
	cause: number | null;
	actor: string | null;
}

/** What a write made in its savepoint, left for its batch to append and commit. */
export interface Change<T> {
	events: NewEvent[];
	audit: { who: Actor; entry: AuditEntry } | null;
	counties: CountyMove[];
	/** the answer, from the write's stored events (its own, then its counties' `indicators.changed`) */
	answer: (events: StoredEvent[]) => T;
}

export interface Write<T> {
	/**
	 * what the write is about (a facility, a patient, a problem, a team, an idempotency key): a
	 * write that shares one with a write already in the batch waits for the next batch, so each
	 * subject's writes commit one batch after another, in the order they came
	 */
	subjects: string[];
	/**
	 * a write too large to share a transaction (an import): it runs in a transaction of its own
	 * through the same steps, beside the loop rather than holding it up
	 */
	alone?: boolean;
	/** the facility or patient the write changes: the batch locks it and holds its unit before any write's change */
	holds?: { facility?: string; patient?: string };
	/**
	 * the write reads what it needs and refuses (throws an ApiError) before it changes anything:
	 * it may be made together with the batch's other pure writes, without a savepoint (see
	 * `applyTogether`); should one of them fail in the database, the batch is tried again with
	 * a savepoint per write
	 */
	pure?: boolean;
	/**
	 * reads and changes the records in `tx`; throws to be refused; nothing to write: no events.
	 * `early`: the write is its batch alone and pure, and may send its change right behind its
	 * reads, before its checks have their answers: refused, it rolls the transaction back.
	 */
	apply(tx: Db, early: boolean): Promise<Change<T>>;
}

interface Queued {
	write: Write<unknown>;
	/** how many times it lost a deadlock or a serialisation conflict and was queued again */
	retries?: number;
	resolve(value: unknown): void;
	reject(error: unknown): void;
}

interface Loop {
	queue: Queued[];
	running: boolean;
	/** the subjects of the batches whose changes are made and whose commit is under way */
	committing: Map<string, number>;
	/** those batches: each settles once its writes are answered */
	inFlight: Set<Promise<void>>;
}

/** Past this many writes a batch is closed; the rest go in the next one. */
export const BATCH_MAX = 64;

/**
 * Batches whose commit may be under way at once. One batch at a time makes its changes; the
 * next starts on them as soon as the previous one's are made, while that one appends and
 * commits. A batch that is making its changes waits on no lock the others take while
 * committing (the event lock aside, which none of them waits for holding it), so no two
 * batches of a process can deadlock.
 */
const IN_FLIGHT = 3;

/** What the loops did since the process started: for tests and the bench. */
export const batchStats = { batches: 0, writes: 0, largest: 0, splits: 0, apart: 0, early: 0 };

// the SvelteKit bundle and the server entry each load this module: one loop per database for both
const KEY = Symbol.for('hcc.group-commit');
const holder = globalThis as unknown as Record<symbol, WeakMap<Sql, Loop> | undefined>;
const loops = (holder[KEY] ??= new WeakMap<Sql, Loop>());

/** Queues `write` for the next batch on `db`; resolves once its batch has committed. */
export function commitWrite<T>(db: Sql, write: Write<T>): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		enqueue(db, { write: write as Write<unknown>, resolve: resolve as (value: unknown) => void, reject });
	});
}

function enqueue(db: Sql, queued: Queued, first = false): void {
	if (queued.write.alone) {
		applyBatch(db, [queued], 'savepoints').catch(queued.reject);
		return;
	}
	let loop = loops.get(db);
	if (!loop) loops.set(db, (loop = { queue: [], running: false, committing: new Map(), inFlight: new Set() }));
	if (first) loop.queue.unshift(queued);
	else loop.queue.push(queued);
	if (!loop.running) {
		loop.running = true;
		// writes queued in the same tick (a batch request's items) start together
		queueMicrotask(() => void run(db, loop));
	}
}

/**
 * A write that lost a deadlock (40P01) or a serialisation conflict (40001) to another
 * transaction (an import beside the loop, another node's batch) was rolled back alone: it goes
 * to the head of the queue again, a few times, before it is answered with the error.
 */
const RETRIES = 3;
const CONFLICTS = new Set(['40P01', '40001']);
const conflicted = (error: unknown) => CONFLICTS.has((error as { code?: string } | null)?.code ?? '');

async function run(db: Sql, loop: Loop): Promise<void> {
	try {
		while (loop.queue.length) {
			if (loop.inFlight.size >= IN_FLIGHT) await Promise.race(loop.inFlight);
			const batch = take(loop);
			// everything queued is about a subject whose commit is under way: the next commit frees some
			if (!batch.length) {
				await Promise.race(loop.inFlight);
				continue;
			}
			const subjects = batch.flatMap((queued) => queued.write.subjects);
			for (const subject of subjects) loop.committing.set(subject, (loop.committing.get(subject) ?? 0) + 1);
			let applied!: () => void;
			const changed = new Promise<void>((resolve) => (applied = resolve));
			const done: Promise<void> = applyBatch(db, batch, 'first', applied)
				.catch((error) => batch.forEach((queued) => queued.reject(error)))
				.finally(() => {
					for (const subject of subjects) {
						const n = loop.committing.get(subject)! - 1;
						if (n) loop.committing.set(subject, n);
						else loop.committing.delete(subject);
					}
					loop.inFlight.delete(done);
					applied();
				});
			loop.inFlight.add(done);
			await changed;
		}
	} finally {
		loop.running = false;
	}
}

/**
 * The next batch: writes in the order they came, up to BATCH_MAX, none sharing a subject with
 * an earlier one or with a batch whose commit is under way.
 */
function take(loop: Loop): Queued[] {
	const batch: Queued[] = [];
	const rest: Queued[] = [];
	const taken = new Set<string>(loop.committing.keys());
	for (const queued of loop.queue) {
		const clash = queued.write.subjects.some((subject) => taken.has(subject));
		// a write left for later still holds its subjects: no later write on them overtakes it
		for (const subject of queued.write.subjects) taken.add(subject);
		if (clash || batch.length >= BATCH_MAX) rest.push(queued);
		else batch.push(queued);
	}
	loop.queue = rest;
	return batch;
}

/**
 * Locks the facilities and patients the batch's writes are about (`holds`) and holds their
 * units, in id order, before any write makes its change; nothing to send when there are none.
 */
function holdSubjects(tx: Db, batch: Queued[]): Promise<unknown> | null {
	const facilities: string[] = [];
	const patients: string[] = [];
	for (const { write } of batch) {
		if (write.holds?.facility) facilities.push(write.holds.facility);
		if (write.holds?.patient) patients.push(write.holds.patient);
	}
	return facilities.length || patients.length ? holdRecords(tx, facilities, patients) : null;
}

/**
 * How a batch is tried: first with its `pure` writes made together; should that fail in the
 * database, every write in a savepoint of its own; should the shared steps still fail, split.
 */
type Attempt = 'first' | 'savepoints' | 'split';

/** A write made together with others failed in the database: the batch is tried again with savepoints. */
class TogetherFailed extends Error {}

/**
 * The batch's `pure` writes at `indices`, made at once: their statements go out interleaved in
 * one pipeline, without savepoints, so a few round trips serve them all instead of two each.
 * A pure write refuses (an ApiError) before it changes anything, so a refused one is answered
 * alone and leaves nothing to roll back; any other failure may have broken the transaction,
 * and throws for the batch to be tried again with a savepoint per write.
 */
async function applyTogether(tx: Db, batch: Queued[], indices: number[], outcomes: Outcome[], early: boolean): Promise<void> {
	if (!indices.length) return;
	const settled = await Promise.allSettled(indices.map((i) => batch[i].write.apply(tx, early)));
	settled.forEach((result, k) => {
		if (result.status === 'fulfilled') outcomes[indices[k]] = { change: result.value };
		else if (result.reason instanceof ApiError) outcomes[indices[k]] = { error: result.reason };
		else throw new TogetherFailed('a write made together with others failed', { cause: result.reason });
	});
}

type Outcome = { change: Change<unknown> } | { error: unknown };

/** A write that went early (see `Write.apply`) was refused: its transaction is rolled back, and it is answered with `refusal`. */
class EarlyRefused extends Error {
	constructor(readonly refusal: unknown) {
		super('a write that went early was refused');
	}
}

/**
 * The write path's statements are the same few, prepared once per connection, their parameters
 * ids and small JSON documents: PostgreSQL's custom plans (planned again at each execution,
 * since their estimates differ little from the generic one's) cost more than they save. The
 * event insert's plan alone took 0.66 ms of every batch's, half of it under the event lock;
 * with generic plans one writer's events went from 249 to 448 a second and eight writers' from
 * 1,051 to 1,465 (in process, full-scale data). For this transaction only: reads keep custom plans.
 */
const genericPlans = (tx: Db) => tx`set local plan_cache_mode = force_generic_plan`.execute();

/**
 * One batch in one transaction; every write in it answered. Should the transaction itself fail
 * (not one write's change), a batch that lost no connection is tried again once split in
 * halves, so that a write that breaks the shared insert fails only its own half; otherwise
 * each write is answered with the error.
 */
async function applyBatch(db: Sql, batch: Queued[], attempt: Attempt, changed?: () => void): Promise<void> {
	let outcomes: Outcome[] = [];
	let stored: Appended = { events: [], owned: [] };
	try {
		const committed = await transaction(db, async (tx) => {
			outcomes = new Array(batch.length);
			// sent in one write with the batch's first statements, like the BEGIN
			const released: Promise<unknown>[] = [genericPlans(tx)];
			// the records the writes are about locked and their units held up front, in one go
			const held = holdSubjects(tx, batch);
			if (held) released.push(held);
			const together = attempt === 'first' ? batch.flatMap((queued, i) => (queued.write.pure ? [i] : [])) : [];
			// a pure write alone in its batch: one round trip fewer, and nobody else's change to keep should it be refused
			const early = together.length === 1 && batch.length === 1;
			if (early) batchStats.early++;
			await applyTogether(tx, batch, together, outcomes, early);
			if (early && 'error' in outcomes[0]) throw new EarlyRefused(outcomes[0].error);
			for (let i = 0; i < batch.length; i++) {
				if (outcomes[i]) continue;
				// the savepoint goes out in one write with the change's first statement
				const savepoint = tx`savepoint w`.execute();
				try {
					const [, change] = await Promise.all([savepoint, batch[i].write.apply(tx, false)]);
					// not waited for: it goes out in one write with the next write's first statement
					released.push(tx`release savepoint w`.execute());
					outcomes[i] = { change };
				} catch (error) {
					// a transaction that cannot go back to the savepoint is lost: the batch fails
					await Promise.all([tx`rollback to savepoint w`.execute(), tx`release savepoint w`.execute()]);
					outcomes[i] = { error };
				}
			}
			// the next batch may make its changes while this one appends and commits
			changed?.();
			return append(tx, outcomes, released);
		});
		stored = committed;
	} catch (error) {
		if (error instanceof EarlyRefused) {
			batch[0].reject(error.refusal);
			return;
		}
		if (attempt === 'split' || isUnavailable(error)) {
			for (const queued of batch) queued.reject(error);
			return;
		}
		// writes made together that broke the transaction: each in its own savepoint this time
		if (attempt === 'first' && batch.some((queued) => queued.write.pure)) {
			batchStats.apart++;
			return applyBatch(db, batch, 'savepoints');
		}
		if (batch.length === 1) {
			batch[0].reject(error);
			return;
		}
		batchStats.splits++;
		const half = Math.ceil(batch.length / 2);
		await applyBatch(db, batch.slice(0, half), 'split');
		await applyBatch(db, batch.slice(half), 'split');
		return;
	}
	batchStats.batches++;
	batchStats.writes += batch.length;
	batchStats.largest = Math.max(batchStats.largest, batch.length);
	batch.forEach((queued, i) => {
		const outcome = outcomes[i];
		if ('error' in outcome) {
			if (conflicted(outcome.error) && (queued.retries ?? 0) < RETRIES) {
				queued.retries = (queued.retries ?? 0) + 1;
				enqueue(db, queued, true);
			} else queued.reject(outcome.error);
		} else {
			try {
				queued.resolve(outcome.change.answer(stored.owned[i]));
			} catch (error) {
				queued.reject(error);
			}
		}
	});
	publish(stored.events);
}

/**
 * The batch's audit rows, then under the event lock its events and each moved county's
 * `indicators.changed` (the latest cause, the values read by the insert itself), and the
 * commit, all in one pipeline. Returns the batch's events, and each write's (none for a refused one).
 */
interface Appended {
	events: StoredEvent[];
	owned: StoredEvent[][];
}

async function append(tx: Db, outcomes: Outcome[], released: Promise<unknown>[]): Promise<Appended> {
	const planned: NewEvent[] = [];
	const owned: { from: number; to: number; counties: string[] }[] = [];
	const audits: { who: Actor; entry: AuditEntry }[] = [];
	const counties = new Map<string, { path: EventPath; cause: number | null; actor: string | null }>();
	for (const outcome of outcomes) {
		if (!('change' in outcome)) {
			owned.push({ from: 0, to: 0, counties: [] });
			continue;
		}
		const { change } = outcome;
		const from = planned.length;
		planned.push(...change.events);
		if (change.audit) audits.push(change.audit);
		for (const move of change.counties) {
			const county = move.path.county!;
			const previous = counties.get(county);
			// a county moved twice in the batch: its figures name the latest cause
			const cause = move.cause === null ? (previous?.cause ?? null) : from + move.cause;
			counties.delete(county);
			counties.set(county, { path: move.path, cause, actor: move.actor });
		}
		owned.push({ from, to: planned.length, counties: change.counties.map((move) => move.path.county!) });
	}
	const first = planned.length;
	const order = [...counties.keys()];
	for (const county of order) {
		const { path, cause, actor } = counties.get(county)!;
		planned.push({ type: 'indicators.changed', region: path, actor, payload: {}, causeIndex: cause ?? planned.length, indicators: true });
	}
	// every unit the writes held: the counters move once, before the figures are read
	const moved = releaseUnits(tx).execute();
	const audited = audits.length ? auditAll(tx, audits).execute() : null;
	// nothing to append (every write refused or a retry): the transaction commits on its own
	const appended = planned.length ? appendEvents(tx, planned, { commit: true }) : Promise.resolve([] as StoredEvent[]);
	const [, , , events] = await Promise.all([Promise.all(released), moved, audited, appended]);
	return {
		events,
		owned: owned.map(({ from, to, counties: moved }) => [
			...events.slice(from, to),
			...[...new Set(moved)].map((county) => events[first + order.indexOf(county)])
		])
	};
}
