import { endedInPipeline, type Db } from '../db';
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
	/** the payload's `cause` is the seq of the event at this index of the same append (indicators.changed) */
	causeIndex?: number;
	/**
	 * the payload's `regions` are the indicators of the county, city and province of the event's
	 * path, read by the insert itself under the event lock (indicators.changed): so every event's
	 * values include every change committed before it in seq order
	 */
	indicators?: boolean;
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
 * Appends events in the caller's transaction, with consecutive seqs. Call it last, right before
 * commit: the event lock it takes is held until then and every other writer waits on it. The
 * lock and the insert go out together (one pipeline), so the lock holder waits on no round trip
 * to this process before its insert runs; the insert's snapshot, taken once the lock is granted,
 * sees the previous holder's commit.
 *
 * With `commit`, the COMMIT goes out in the same pipeline and the transaction ends here: the
 * lock is then held for the insert and the commit only, however busy this process is when the
 * insert's answer comes back (under load its event loop answered 20-100 ms late, and every
 * writer in the database waited that long). Should the insert fail, the COMMIT finds the
 * transaction aborted and rolls it back. The transaction must come from `transaction` (db) and
 * do nothing after this.
 */
export async function appendEvents(tx: Db, events: NewEvent[], { commit = false }: { commit?: boolean } = {}): Promise<StoredEvent[]> {
	const rows = events.map((event, i) => {
		const path = pathOf(event.region);
		return {
			ord: i + 1,
			type: event.type,
			...path,
			actor: event.actor,
			payload: event.payload,
			sealed: event.sealed ?? false,
			key: event.idempotencyKey ?? null,
			cause: event.causeIndex === undefined ? null : event.causeIndex + 1,
			indicators: event.indicators ?? false
		};
	});
	const locked = tx`select pg_advisory_xact_lock(${EVENT_LOCK}::bigint)`.execute();
	const insert = tx`
			insert into event (seq, at, type, province_code, city_code, county_code, township_code, village_code,
				actor, payload, sealed, idempotency_key)
			-- the clock read under the lock, not at the transaction's start, so that at runs with seq
			select m.head + r.ord, clock_timestamp(), r.type, r.province, r.city, r.county, r.township, r.village, r.actor,
				r.payload
					|| case when r.cause is null then '{}'::jsonb else jsonb_build_object('cause', m.head + r.cause) end
					|| case when r.indicators then jsonb_build_object('regions', path_indicators(r.province, r.city, r.county)) else '{}'::jsonb end,
				r.sealed, r.key
			from (select coalesce(max(seq), 0) as head from event) m,
				jsonb_to_recordset(${tx.json(rows as never)}) as r(ord int, type text, province text, city text, county text,
					township text, village text, actor text, payload jsonb, sealed boolean, key text, cause int, indicators boolean)
			order by r.ord
			returning *`.execute();
	// marked as ended: `transaction` sends no COMMIT of its own after this one
	const committed = commit ? tx`commit`.execute() : null;
	if (commit) endedInPipeline.add(tx);
	const [, inserted] = await Promise.all([locked, insert, committed]);
	return inserted.map(toEvent).sort((a, b) => a.seq - b.seq);
}

export async function appendEvent(tx: Db, event: NewEvent): Promise<StoredEvent> {
	return (await appendEvents(tx, [event]))[0];
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

/** The rule of SPEC §4 as a condition on the event table: `and …`, or nothing for a reader of everything. */
export const readable = (db: Db, reader: Reader) =>
	reader.sealed ? db`` : reader.team ? db`and (not sealed or payload->>'team' = ${reader.team})` : db`and not sealed`;

/** The newest `limit` events of `region` that `reader` may see, newest first, leaving out `indicators.changed` (a feed). */
export async function latestEvents(db: Db, region: Region, reader: Reader, limit: number): Promise<StoredEvent[]> {
	const rows = await db`
		select seq, type, province_code, city_code, county_code, township_code, village_code, at, actor, payload, sealed
		from event
		where ${db(COLUMN[region.level])} = ${region.code} and type <> 'indicators.changed' ${readable(db, reader)}
		order by seq desc limit ${limit}`;
	return rows.map(toEvent);
}

/**
 * Events after `after` in `region` (or everywhere), in seq order, as `reader` may see them;
 * `total` counts all of them, which costs a scan of the rest: `count: false` skips it.
 */
export async function eventsAfter(
	db: Db,
	q: EventQuery,
	reader: Reader,
	{ count = true }: { count?: boolean } = {}
): Promise<{ items: StoredEvent[]; total: number }> {
	const where = db`
		where seq > ${q.after}
			${q.upTo === undefined ? db`` : db`and seq <= ${q.upTo}`}
			${q.region ? db`and ${db(COLUMN[q.region.level])} = ${q.region.code}` : db``}
			${readable(db, reader)}`;
	const rows = await db`
		select seq, type, province_code, city_code, county_code, township_code, village_code, at, actor, payload, sealed
			${count ? db`, count(*) over () as total` : db``}
		from event ${where}
		order by seq limit ${q.limit}
	`;
	const total = !count ? rows.length : rows.length ? Number(rows[0].total) : 0;
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
