import type { PendingQuery, Row } from 'postgres';
import type { Db } from '../../../db';
import { ApiError } from '../../../http/errors';
import type { Region } from '../../../geo/regions';
import type { Viewer } from '../../../auth/viewer';
import type { EventOf, EventType, PostedEventType } from '$lib/types/events';
import type { PostedPayload } from '../../types';

export type UserViewer = Extract<Viewer, { kind: 'user' }>;

/**
 * The one answer to a posted event whose subject (patient, facility, problem, region) the poster
 * may not reach: the same status, code and words whether the subject lies outside its scope or
 * does not exist at all, so that a write tells no more of other regions than a read does.
 */
export const outOfReach = () => new ApiError(403, 'forbidden', '无权对该对象提交事件');

/**
 * One event a change writes, its payload the type's own (`EventPayloads`); the first of a plan's
 * events is the posted type's own. The batch writes each county's `indicators.changed` itself.
 */
export type PlannedEvent<T extends Exclude<EventType, 'indicators.changed'> = Exclude<EventType, 'indicators.changed'>> = EventOf<T> & {
	/** where the event is placed when not at the subject (team events: the team's province) */
	region?: Region;
	/** reaches only those allowed to see teams (SPEC §4) */
	sealed?: boolean;
};

/** What a posted event changes, worked out from its subject before anything is written. */
interface PlanBase {
	entity: string;
	/** null for a new record: the audit then names the id it got */
	entityId: string | number | null;
	/** the subject's region: the scope check, the counters that move and the events' place */
	subject: string;
	/** the subject's region when the planner has read it already (saves reading it again) */
	subjectRegion?: Region;
	/** whether the change moves indicator counters (team movements do not) */
	counts: boolean;
	before: Record<string, unknown> | null;
	/** what the audit row keeps of the record after the change (default: all of it) */
	audited?: (after: Record<string, unknown>) => Record<string, unknown>;
	/** whether `viewer` may post it; the default is the one scope check on the subject */
	mayPost?: (viewer: UserViewer, subject: Region) => Promise<boolean>;
	/**
	 * the plan's unsealed events name no actor: a team's finding reaches the county as a problem,
	 * without the inspector who found it (四不两直); the audit row and sealed events still name them
	 */
	anonymous?: boolean;
	events: (after: Record<string, unknown>) => PlannedEvent[];
}

/** The change: one statement whose first row is the record after it, or an async function for more. */
export type Change =
	| {
			/** sent in one write with the unit's hold (`change` in post.ts); may throw before building it */
			statement: (tx: Db) => PendingQuery<Row[]>;
			apply?: never;
	  }
	| {
			/** returns the record after the change */
			apply: (tx: Db) => Promise<Record<string, unknown>>;
			statement?: never;
	  };

export type Plan = PlanBase & Change;

/**
 * The one statement a single-statement type's change is, built from its payload alone: the
 * plan's `statement`, or sent right behind the planner's reads when the write may go early
 * (`Write.apply` in commit.ts).
 */
export type ChangeStatement<T extends PostedEventType> = (tx: Db, payload: PostedPayload<T>) => PendingQuery<Row[]>;

/** Reads the subject of a posted event; null when there is no such subject. */
export type Planner<T extends PostedEventType> = (tx: Db, payload: PostedPayload<T>, viewer: UserViewer) => Promise<Plan | null>;

export const day = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value));

