import { sql as defaultSql, transaction, type Db, type Sql } from '../db';
import { audit, type AuditEntry } from '../auth/audit';
import { covers } from '../auth/scope';
import type { Viewer } from '../auth/viewer';
import { findRegion, type Region } from '../geo/regions';
import { ApiError } from '../http/errors';
import { changeUnits, changeUnitsBy, recountCounties } from '../indicators/counters';
import type { PostedEventType } from '$lib/types/events';
import { checkRetry, requestDigest } from './idempotency';
import { appendEvents, writeOfKey, type NewEvent, type StoredEvent } from './log';
import { PLANNERS, POSTERS, POSTERS_OF, type Plan, type PlannedEvent, type UserViewer } from './planners';
import { outOfReach, type Planner } from './planners/plan';
import { publish } from './publish';
import type { PostedEvent } from './types';

export { POSTERS };

// two-key advisory locks: a key space apart from the event lock's single key
const KEY_LOCK_CLASS = 7311;

export interface Posted {
	seq: number;
	/** true when the idempotency key had been used: nothing was applied this time */
	repeated: boolean;
}

/** Applies the plan's change, and moves the counters of `unit` by it when it counts; the record after it. */
async function change(tx: Db, plan: Plan, unit: string): Promise<Record<string, unknown>> {
	if (plan.statement) {
		const statement = plan.statement(tx);
		const [after] = plan.counts ? await changeUnitsBy(tx, [unit], statement) : await statement;
		return after;
	}
	return plan.counts ? changeUnits(tx, [unit], () => plan.apply(tx)) : plan.apply(tx);
}

/** An idempotency key as stored (the poster's own) and the digest of the request it is bound to. */
interface Keyed {
	key: string;
	digest: string;
}

/** Who makes a change: a signed-in user, or the server itself (the deadline watcher). */
export const SYSTEM = { kind: 'system' } as const;
export type Writer = UserViewer | typeof SYSTEM;

/** The record, its counters, the audit row, the events and the new indicators, then the commit; in `tx`. */
async function applyPlan(tx: Db, writer: Writer, action: string, plan: Plan, key: Keyed | null): Promise<StoredEvent[]> {
	const region = plan.subjectRegion ?? (await findRegion(plan.subject, tx));
	if (!region) throw outOfReach();
	// the server's own changes follow its rules, not a scope
	if (writer.kind !== 'system' && !(await (plan.mayPost ?? covers)(writer, region))) throw outOfReach();
	const viewer = writer.kind === 'system' ? null : writer;
	const actor = viewer ? viewer.username : 'system';
	const after = await change(tx, plan, region.code);
	// the audit row goes out now; the events and the commit follow it in the same pipeline
	const audited = audit(tx, viewer, { action, entity: plan.entity, entityId: plan.entityId ?? (after.id as number), before: plan.before ?? undefined, after: plan.audited?.(after) ?? after });
	// a finding's problem reaches the county naming no one; sealed events and the audit row still do
	const publicActor = plan.anonymous ? null : actor;
	const planned: NewEvent[] = plan.events(after).map((event, i) => ({
		type: event.type,
		region: event.region ?? region,
		actor: event.sealed ? actor : publicActor,
		payload: event.payload,
		sealed: event.sealed,
		idempotencyKey: i === 0 ? (key?.key ?? null) : null,
		requestDigest: i === 0 ? (key?.digest ?? null) : null
	}));
	if (plan.counts) {
		// the cause is an event whoever reads the figures may read: a finding's problem, not the sealed finding
		const cause = planned.findIndex((event) => !event.sealed);
		planned.push({
			type: 'indicators.changed',
			region: { province: region.provinceCode, city: region.cityCode, county: region.countyCode, township: null, village: null },
			actor: publicActor,
			payload: {},
			causeIndex: Math.max(cause, 0),
			indicators: true
		});
	}
	// one statement for all of them, and the commit right behind it: the event lock is held for those two only
	const [, events] = await Promise.all([audited, appendEvents(tx, planned, { commit: true })]);
	return events;
}

/**
 * Commits one change that is not a posted event (a ledger move through PATCH, an evidence upload,
 * the deadline watcher's overdue and escalation marks; a team's roster, the end of an assignment,
 * a cross-inspection draw, dispatch weights) through the same path as a posted one: `plan` reads
 * the subject in the transaction; the change, its counters, the audit row and the events commit
 * together and are broadcast after. A plan of null is a subject that is not there.
 */
export async function commitPlan(writer: Writer, action: string, plan: (tx: Db) => Promise<Plan | null>, db: Sql = defaultSql): Promise<StoredEvent[]> {
	const events = await transaction(db, async (tx) => {
		const planned = await plan(tx);
		if (!planned) throw new ApiError(404, 'not_found', '没有找到该记录');
		return applyPlan(tx, writer, action, planned, null);
	});
	publish(events);
	return events;
}

/**
 * Applies an event posted from the field in one transaction and broadcasts it after commit.
 * The region comes from the subject (patient, facility, problem, team), never from the caller.
 */
export async function postEvent(viewer: Viewer, input: PostedEvent, idempotencyKey: string | null, db: Sql = defaultSql): Promise<Posted> {
	if (viewer.kind !== 'user' || !POSTERS_OF[input.type].includes(viewer.role)) throw outOfReach();
	// keys are the poster's own: another user's key neither collides nor replays; each is bound
	// to the request it came with (the poster, the kind of write, the payload as parsed)
	const key: Keyed | null =
		idempotencyKey === null
			? null
			: { key: `${viewer.username}:${idempotencyKey}`, digest: requestDigest(viewer.username, input.type, input.payload) };
	const result = await transaction(db, async (tx) => {
		if (key) {
			// a retry waits for the first attempt, then finds its event
			// the lock goes out now and the look right behind it, which runs once the lock is granted
			const locked = tx`select pg_advisory_xact_lock(${KEY_LOCK_CLASS}::int, hashtext(${key.key}))`.execute();
			const [, first] = await Promise.all([locked, writeOfKey(tx, key.key)]);
			if (first) {
				checkRetry(first.digest, key.digest);
				return { seq: first.seq, repeated: true, events: [] as StoredEvent[] };
			}
		}
		const plan = await (PLANNERS[input.type] as Planner<PostedEventType>)(tx, input.payload, viewer);
		// a subject that is not there is answered as one out of reach
		if (!plan) throw outOfReach();
		const events = await applyPlan(tx, viewer, input.type, plan, key);
		return { seq: events[0].seq, repeated: false, events };
	});
	publish(result.events);
	return { seq: result.seq, repeated: result.repeated };
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
 * Commits a change the server makes in bulk rather than as a posted event (an import): in one
 * transaction `apply` writes the records (holding what it changes, see `holdCounties`), the
 * counters of the counties it touched are recounted, the audit row and the events are written,
 * the `indicators.changed` of each county last, and the commit goes out right behind them; the
 * events are broadcast after commit. `apply` may throw to leave everything as it was.
 */
export async function commitBulk<T extends BulkApplied>(viewer: UserViewer, apply: (tx: Db) => Promise<T>, db: Sql = defaultSql): Promise<{ applied: T; events: StoredEvent[] }> {
	const result = await transaction(db, async (tx) => {
		const applied = await apply(tx);
		await recountCounties(tx, applied.counties);
		const paths = applied.counties.length
			? await tx`select code, province_code, city_code from region where code = any(${applied.counties}::text[]) order by code`
			: [];
		const audited = audit(tx, viewer, applied.audit);
		const planned: NewEvent[] = [
			...applied.events.map((event) => ({ type: event.type, region: event.region, actor: viewer.username, payload: event.payload, sealed: event.sealed })),
			...paths.map((row) => ({
				type: 'indicators.changed' as const,
				region: { province: row.province_code, city: row.city_code, county: row.code, township: null, village: null },
				actor: viewer.username,
				payload: {},
				causeIndex: 0,
				indicators: true
			}))
		];
		const [, events] = await Promise.all([audited, appendEvents(tx, planned, { commit: true })]);
		return { applied, events };
	});
	publish(result.events);
	return result;
}
