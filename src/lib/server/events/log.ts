import type { Db } from '../db';
import type { Region } from '../geo/regions';
import type { Viewer } from '../auth/viewer';
import type { Level } from '$lib/indicators';
import type { EventPath, EventType, LiveEvent } from '$lib/types/events';

/**
 * The one writer lock of the event log. Whoever holds it picks the next `seq` and keeps the
 * lock until commit, so seqs are gapless and commit-ordered: a reader who has seen N has seen
 * every event below N (a sequence would hand out numbers that commit out of order).
 */
const EVENT_LOCK = 7_310_401;

export interface NewEvent {
	type: EventType;
	region: Region | EventPath;
	actor: string | null;
	payload: object;
	sealed?: boolean;
	idempotencyKey?: string | null;
}

export interface StoredEvent extends LiveEvent {
	sealed: boolean;
}

const COLUMN: Record<Level, string> = {
	province: 'province_code',
	city: 'city_code',
	county: 'county_code',
	township: 'township_code',
	village: 'village_code'
};

export function pathOf(region: Region | EventPath): EventPath {
	if ('province' in region) return region;
	return {
		province: region.provinceCode,
		city: region.cityCode,
		county: region.countyCode,
		township: region.townshipCode,
		village: region.level === 'village' ? region.code : null
	};
}

/** Every region code on the path, province first. */
export const pathCodes = (path: EventPath): string[] =>
	[path.province, path.city, path.county, path.township, path.village].filter((code): code is string => code !== null);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toEvent(row: any): StoredEvent {
	return {
		seq: row.seq,
		type: row.type,
		at: new Date(row.at).toISOString(),
		actor: row.actor,
		path: { province: row.province_code, city: row.city_code, county: row.county_code, township: row.township_code, village: row.village_code },
		payload: row.payload,
		sealed: row.sealed
	};
}

/**
 * Appends one event in the caller's transaction. Call it last, right before commit: the
 * event lock it takes is held until then and every other writer waits on it.
 */
export async function appendEvent(tx: Db, event: NewEvent): Promise<StoredEvent> {
	const path = pathOf(event.region);
	await tx`select pg_advisory_xact_lock(${EVENT_LOCK}::bigint)`;
	const [row] = await tx`
		insert into event (seq, at, type, province_code, city_code, county_code, township_code, village_code,
			actor, payload, sealed, idempotency_key)
		-- the clock read under the lock, not at the transaction's start, so that at runs with seq
		select coalesce(max(seq), 0) + 1, clock_timestamp(), ${event.type}, ${path.province}, ${path.city}, ${path.county},
			${path.township}, ${path.village}, ${event.actor}, ${tx.json(event.payload as never)},
			${event.sealed ?? false}, ${event.idempotencyKey ?? null}
		from event
		returning *
	`;
	return toEvent(row);
}

/** Who reads sealed events (team movements, unannounced assignments): SPEC §4. */
export interface Reader {
	sealed: boolean;
	team: string | null;
}

export function readerOf(viewer: Viewer): Reader {
	if (viewer.kind !== 'user') return { sealed: false, team: null };
	const sealed = viewer.role === 'dispatcher' || viewer.role === 'admin' || (viewer.role === 'leader' && viewer.scope?.level === 'province');
	return { sealed, team: viewer.role === 'inspector' ? viewer.team : null };
}

/** Everything the whole log holds: the publisher, which filters per socket itself. */
export const EVERYONE: Reader = { sealed: true, team: null };

export interface EventQuery {
	region: Region | null;
	after: number;
	limit: number;
	/** no event above this seq (the replay stops where the live stream takes over) */
	upTo?: number;
}

/** Events after `after` in `region` (or everywhere), in seq order, as `reader` may see them. */
export async function eventsAfter(db: Db, q: EventQuery, reader: Reader): Promise<{ items: StoredEvent[]; total: number }> {
	const where = db`
		where seq > ${q.after}
			${q.upTo === undefined ? db`` : db`and seq <= ${q.upTo}`}
			${q.region ? db`and ${db(COLUMN[q.region.level])} = ${q.region.code}` : db``}
			${reader.sealed ? db`` : reader.team ? db`and (not sealed or payload->>'team' = ${reader.team})` : db`and not sealed`}`;
	const rows = await db`
		select seq, type, province_code, city_code, county_code, township_code, village_code, at, actor, payload, sealed,
			count(*) over () as total
		from event ${where}
		order by seq limit ${q.limit}
	`;
	const total = rows.length ? Number(rows[0].total) : 0;
	return { items: rows.map(toEvent), total };
}

/** The seq of an event already written under `key`, if any. */
export async function seqOfKey(db: Db, key: string): Promise<number | null> {
	const [row] = await db`select seq from event where idempotency_key = ${key}`;
	return row ? row.seq : null;
}

export async function lastSeq(db: Db): Promise<number> {
	const [row] = await db`select coalesce(max(seq), 0) as seq from event`;
	return Number(row.seq);
}
