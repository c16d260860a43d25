import type { Row } from 'postgres';
import { sql as defaultSql, type Db, type Sql } from '../../db';
import type { AuditEntry } from '../../auth/audit';
import { covers } from '../../auth/scope';
import type { Viewer } from '../../auth/viewer';
import { findRegion, findRegions, type Region } from '../../geo/regions';
import { countyPathOf } from '../../geo/paths';
import { ApiError } from '../../http/errors';
import { heldUpFront, holdUnits, recountCounties } from '../../indicators/counters';
import { commitWrite, type Change, type Write } from './commit';
import type { PostedEventType } from '$lib/types/events';
import { checkRetry, requestDigest } from './idempotency';
import { writeOfKey, type NewEvent, type StoredEvent } from '../log';
import { PLANNERS, POSTERS, POSTERS_OF, SINGLE_STATEMENT, type Plan, type PlannedEvent, type UserViewer } from './planners';
import { outOfReach, type ChangeStatement, type Planner } from './planners/plan';
import type { PostedEvent } from '../types';

export { POSTERS };

// two-key advisory locks: a key space apart from the event lock's single key
const KEY_LOCK_CLASS = 7311;

export interface Posted {
	seq: number;
	/** true when the idempotency key had been used: nothing was applied this time */
	repeated: boolean;
}

/**
 * Applies the plan's change with `unit` held when it counts (the batch moves the counters of
 * every held unit once, after its writes' changes); the record after it. `sent`: the change's
 * statement, sent already right behind the plan's reads (a write that went early), which
 * counts only with its unit held before it, as the batch holds its subjects' up front.
 */
async function change(tx: Db, plan: Plan, unit: string, sent?: Promise<Row[]>): Promise<Record<string, unknown>> {
	if (sent) {
		// not held before the change went out: the batch fails and is made again, without going early
		if (plan.counts && !heldUpFront(tx, unit)) throw new Error(`unit ${unit} was not held before its change went out`);
		const [after] = await sent;
		return after;
	}
	if (plan.statement) {
		// built first (it may refuse), sent right behind the hold
		const statement = plan.statement(tx);
		const held = plan.counts ? holdUnits(tx, [unit]) : null;
		const [, [after]] = await Promise.all([held, statement.execute()]);
		return after;
	}
	const held = plan.counts ? holdUnits(tx, [unit]) : null;
	const [, after] = await Promise.all([held, plan.apply(tx)]);
	return after;
}

/** An idempotency key as stored (the poster's own) and the digest of the request it is bound to. */
interface Keyed {
	key: string;
	digest: string;
}

/** Who makes a change: a signed-in user, or the server itself (the deadline watcher). */
export const SYSTEM = { kind: 'system' } as const;
export type Writer = UserViewer | typeof SYSTEM;

/** The record and its counters, in `tx`; the audit row, the events and the county's figures are left to the batch. */
async function applyPlan(tx: Db, writer: Writer, action: string, plan: Plan, key: Keyed | null, sent?: Promise<Row[]>): Promise<Change<StoredEvent[]>> {
	const region = plan.subjectRegion ?? (await findRegion(plan.subject, tx));
	if (!region) throw outOfReach();
	// the server's own changes follow its rules, not a scope
	if (writer.kind !== 'system' && !(await (plan.mayPost ?? covers)(writer, region))) throw outOfReach();
	const viewer = writer.kind === 'system' ? null : writer;
	const actor = viewer ? viewer.username : 'system';
	const after = await change(tx, plan, region.code, sent);
	// a finding's problem reaches the county naming no one; sealed events and the audit row still do
	const publicActor = plan.anonymous ? null : actor;
	const events: NewEvent[] = plan.events(after).map((event, i) => ({
		...event,
		region: event.region ?? region,
		actor: event.sealed ? actor : publicActor,
		idempotencyKey: i === 0 ? (key?.key ?? null) : null,
		requestDigest: i === 0 ? (key?.digest ?? null) : null
	}));
	// the cause of the county's figures is an event whoever reads them may read: a finding's problem, not the sealed finding
	const cause = Math.max(
		events.findIndex((event) => !event.sealed),
		0
	);
	return {
		events,
		audit: { who: viewer, entry: { action, entity: plan.entity, entityId: plan.entityId ?? (after.id as number), before: plan.before ?? undefined, after: plan.audited?.(after) ?? after } },
		counties: plan.counts
			? [{ path: countyPathOf(region), cause, actor: publicActor }]
			: [],
		answer: (stored) => stored
	};
}

/** What a posted event is about, from its payload: the record its planner locks. */
function subjectOf(input: PostedEvent): string | null {
	const payload = input.payload as Record<string, unknown>;
	for (const field of ['patient', 'facility', 'problem', 'team']) {
		if (typeof payload[field] === 'string' || typeof payload[field] === 'number') return `${field}:${payload[field]}`;
	}
	return null;
}

/**
 * Commits one change that is not a posted event (a ledger move through PATCH, an evidence upload,
 * the deadline watcher's overdue and escalation marks; a team's roster, the end of an assignment,
 * a cross-inspection draw, dispatch weights) through the same path as a posted one: `plan` reads
 * the subject in the transaction; the change, its counters, the audit row and the events commit
 * together and are broadcast after. A plan of null is a subject that is not there. `subject`
 * names the record it changes, so that two changes of it never share a batch.
 */
export async function commitPlan(
	writer: Writer,
	action: string,
	plan: (tx: Db) => Promise<Plan | null>,
	db: Sql = defaultSql,
	subject?: string
): Promise<StoredEvent[]> {
	return commitWrite(db, {
		subjects: subject ? [subject] : [],
		async apply(tx) {
			const planned = await plan(tx);
			if (!planned) throw new ApiError(404, 'not_found', '没有找到该记录');
			return applyPlan(tx, writer, action, planned, null);
		}
	});
}

/** The write of a posted event, as it joins a batch; the poster may post its type (see `postEvent`). */
function postedWrite(viewer: UserViewer, input: PostedEvent, idempotencyKey: string | null): Write<Posted> {
	// keys are the poster's own: another user's key neither collides nor replays; each is bound
	// to the request it came with (the poster, the kind of write, the payload as parsed)
	const key: Keyed | null =
		idempotencyKey === null
			? null
			: { key: `${viewer.username}:${idempotencyKey}`, digest: requestDigest(viewer.username, input.type, input.payload) };
	const subject = subjectOf(input);
	const payload = input.payload as { facility?: unknown; patient?: unknown };
	return {
		pure: input.type in SINGLE_STATEMENT,
		holds: {
			facility: typeof payload.facility === 'string' ? payload.facility : undefined,
			patient: typeof payload.patient === 'string' ? payload.patient : undefined
		},
		// a key twice in one batch: the second waits for the next, where it finds the first
		subjects: [...(subject ? [subject] : []), ...(key ? [`key:${key.key}`] : [])],
		async apply(tx, early) {
			if (key) {
				// a retry waits for the first attempt (another node's), then finds its event
				// the lock goes out now and the look right behind it, which runs once the lock is granted
				const locked = tx`select pg_advisory_xact_lock(${KEY_LOCK_CLASS}::int, hashtext(${key.key}))`.execute();
				const [, first] = await Promise.all([locked, writeOfKey(tx, key.key)]);
				if (first) {
					checkRetry(first.digest, key.digest);
					return { events: [], audit: null, counties: [], answer: () => ({ seq: first.seq, repeated: true }) };
				}
			}
			const planned = (PLANNERS[input.type] as Planner<PostedEventType>)(tx, input.payload, viewer);
			// going early, the change goes out in one write with the planner's reads, right behind them
			const statement = early ? (SINGLE_STATEMENT[input.type] as ChangeStatement<PostedEventType> | undefined) : undefined;
			const sent = statement?.(tx, input.payload).execute();
			// refused, the write's transaction is rolled back whatever the statement did
			sent?.catch(() => {});
			const plan = await planned;
			// a subject that is not there is answered as one out of reach
			if (!plan) throw outOfReach();
			const change = await applyPlan(tx, viewer, input.type, plan, key, sent);
			return { ...change, answer: (stored) => ({ seq: stored[0].seq, repeated: false }) };
		}
	};
}

/** Refuses a poster who may not post this type at all, before anything is read. */
function mayPostType(viewer: Viewer, type: PostedEventType): asserts viewer is UserViewer {
	if (viewer.kind !== 'user' || !POSTERS_OF[type].includes(viewer.role)) throw outOfReach();
}

/**
 * Applies an event posted from the field in the next batch and broadcasts it after commit.
 * The region comes from the subject (patient, facility, problem, team), never from the caller.
 */
export async function postEvent(viewer: Viewer, input: PostedEvent, idempotencyKey: string | null, db: Sql = defaultSql): Promise<Posted> {
	mayPostType(viewer, input.type);
	return commitWrite(db, postedWrite(viewer, input, idempotencyKey));
}

/** One item of a batch of posted events: parsed already, or refused as it came. */
export type BatchItem = { input: PostedEvent; idempotencyKey: string | null } | { refused: ApiError };

/**
 * Posts many events at once (an offline queue, an integration): each item is applied or refused
 * on its own, and all of them join the write queue together, so that they commit in few batches.
 * The answers come in the items' order.
 */
export async function postEvents(viewer: Viewer, items: BatchItem[], db: Sql = defaultSql): Promise<PromiseSettledResult<Posted>[]> {
	return Promise.allSettled(
		items.map((item) => {
			if ('refused' in item) return Promise.reject(item.refused);
			try {
				mayPostType(viewer, item.input.type);
			} catch (error) {
				return Promise.reject(error);
			}
			return commitWrite(db, postedWrite(viewer, item.input, item.idempotencyKey));
		})
	);
}

/** What a bulk change (an import) wrote, as `commitBulk` records and announces it. */
export interface BulkApplied {
	/** the counties whose records changed: their counters are recounted from the records */
	counties: string[];
	audit: AuditEntry;
	/** its own events, placed at their region; each county's `indicators.changed` follows them */
	events: (PlannedEvent & { region: Region })[];
}

/**
 * Commits a change the server makes in bulk rather than as a posted event (an import) through
 * the same write path, in a transaction of its own: `apply` writes the records (holding what it
 * changes, see `holdCounties`), the counters of the counties it touched are recounted, the
 * audit row and the events are written, the `indicators.changed` of each county last, and the
 * commit goes out right behind them; the events are broadcast after commit. `apply` may throw
 * to leave everything as it was.
 */
export async function commitBulk<T extends BulkApplied>(viewer: UserViewer, apply: (tx: Db) => Promise<T>, db: Sql = defaultSql): Promise<{ applied: T; events: StoredEvent[] }> {
	return commitWrite(db, {
		subjects: [],
		alone: true,
		async apply(tx) {
			const applied = await apply(tx);
			await recountCounties(tx, applied.counties);
			const counties = await findRegions(applied.counties, tx);
			return {
				events: applied.events.map((event) => ({ ...event, actor: viewer.username })),
				audit: { who: viewer, entry: applied.audit },
				counties: counties.map((county) => ({
					path: countyPathOf(county),
					cause: applied.events.length ? 0 : null,
					actor: viewer.username
				})),
				answer: (events) => ({ applied, events })
			};
		}
	});
}
