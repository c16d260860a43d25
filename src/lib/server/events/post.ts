import { sql as defaultSql, transaction, type Db, type Sql } from '../db';
import { audit } from '../auth/audit';
import { covers } from '../auth/scope';
import type { Viewer } from '../auth/viewer';
import { findRegion } from '../geo/regions';
import { ApiError } from '../http/errors';
import { changeUnits, changeUnitsBy } from '../indicators/counters';
import type { PostedEventType } from '$lib/types/events';
import { appendEvents, seqOfKey, type NewEvent, type StoredEvent } from './log';
import { PLANNERS, POSTERS, POSTERS_OF, type Plan, type UserViewer } from './planners';
import type { Planner } from './planners/plan';
import { publish } from './publish';
import type { PostedEvent } from './types';

export { POSTERS };

// two-key advisory locks: a key space apart from the event lock's single key
const KEY_LOCK_CLASS = 7311;

const forbidden = () => new ApiError(403, 'forbidden', '无权对该对象提交事件');

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

/** Who makes a change: a signed-in user, or the server itself (the deadline watcher). */
export const SYSTEM = { kind: 'system' } as const;
export type Writer = UserViewer | typeof SYSTEM;

/** The record, its counters, the audit row, the events and the new indicators, then the commit; in `tx`. */
async function applyPlan(tx: Db, writer: Writer, action: string, plan: Plan, key: string | null): Promise<StoredEvent[]> {
	const region = plan.subjectRegion ?? (await findRegion(plan.subject, tx));
	if (!region) throw forbidden();
	// the server's own changes follow its rules, not a scope
	if (writer.kind !== 'system' && !(await (plan.mayPost ?? covers)(writer, region))) throw forbidden();
	const viewer = writer.kind === 'system' ? null : writer;
	const actor = viewer ? viewer.username : 'system';
	const after = await change(tx, plan, region.code);
	// the audit row goes out now; the events and the commit follow it in the same pipeline
	const audited = audit(tx, viewer, { action, entity: plan.entity, entityId: plan.entityId ?? (after.id as number), before: plan.before ?? undefined, after: plan.audited?.(after) ?? after });
	const planned: NewEvent[] = plan.events(after).map((event, i) => ({
		type: event.type,
		region: event.region ?? region,
		actor,
		payload: event.payload,
		sealed: event.sealed,
		idempotencyKey: i === 0 ? key : null
	}));
	if (plan.counts) {
		planned.push({
			type: 'indicators.changed',
			region: { province: region.provinceCode, city: region.cityCode, county: region.countyCode, township: null, village: null },
			actor,
			payload: {},
			causeIndex: 0,
			indicators: true
		});
	}
	// one statement for all of them, and the commit right behind it: the event lock is held for those two only
	const [, events] = await Promise.all([audited, appendEvents(tx, planned, { commit: true })]);
	return events;
}

/**
 * Commits one change that is not a posted event (a ledger move through PATCH, an evidence upload,
 * the deadline watcher's overdue and escalation marks) through the same path as a posted one:
 * `plan` reads the subject in the transaction; the change, its counters, the audit row and the
 * events commit together and are broadcast after. A plan of null is a subject that is not there.
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
	if (viewer.kind !== 'user' || !POSTERS_OF[input.type].includes(viewer.role)) throw forbidden();
	// keys are the poster's own: another user's key neither collides nor replays
	const key = idempotencyKey === null ? null : `${viewer.username}:${idempotencyKey}`;
	const result = await transaction(db, async (tx) => {
		if (key) {
			// a retry waits for the first attempt, then finds its event
			// the lock goes out now and the look right behind it, which runs once the lock is granted
			const locked = tx`select pg_advisory_xact_lock(${KEY_LOCK_CLASS}::int, hashtext(${key}))`.execute();
			const [, seq] = await Promise.all([locked, seqOfKey(tx, key)]);
			if (seq !== null) return { seq, repeated: true, events: [] as StoredEvent[] };
		}
		const plan = await (PLANNERS[input.type] as Planner<PostedEventType>)(tx, input.payload, viewer);
		if (!plan) throw new ApiError(404, 'not_found', '没有找到该记录');
		const events = await applyPlan(tx, viewer, input.type, plan, key);
		return { seq: events[0].seq, repeated: false, events };
	});
	publish(result.events);
	return { seq: result.seq, repeated: result.repeated };
}
