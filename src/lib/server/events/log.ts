import { endedInPipeline, type Db } from '../db';
import type { Region } from '../geo/regions';
import { pathCodes, pathOf, pathOfRow, STORED_PATH_COLUMN } from '../geo/paths';
import type { Viewer } from '../auth/viewer';
import type { Level } from '$lib/indicators';
import type { EventOf, EventPath, EventPayloads, EventType, LiveEvent } from '$lib/types/events';

/**
 * The one writer lock of the event log. Whoever holds it picks the next `seq` and keeps the
 * lock until commit, so seqs are gapless and commit-ordered: a reader who has seen N has seen
 * every event below N (a sequence would hand out numbers that commit out of order).
 */
const EVENT_LOCK = 7_310_401;

/**
 * An `indicators.changed` the insert fills in: its `regions` (`indicators`) and its `cause`
 * (`causeIndex`) are read under the event lock, so its payload holds nothing else yet.
 */
type FilledIn = { type: 'indicators.changed'; payload: Partial<EventPayloads['indicators.changed']> };

/** An event to append: a type with its own payload (`EventPayloads`), and where and by whom. */
export type NewEvent = (EventOf<Exclude<EventType, 'indicators.changed'>> | FilledIn) & {
	region: Region | EventPath;
	actor: string | null;
	sealed?: boolean;
	idempotencyKey?: string | null;
	/** what the key is bound to (`requestDigest`): a retry with another request is refused */
	requestDigest?: string | null;
	/** the payload's `cause` is the seq of the event at this index of the same append (indicators.changed) */
	causeIndex?: number;
	/**
	 * the payload's `regions` are the indicators of the county, city and province of the event's
	 * path, read by the insert itself under the event lock (indicators.changed, `counties_indicators`): so every event's
	 * values include every change committed before it in seq order
	 */
	indicators?: boolean;
};

/** An event as the log holds it: what the stream carries, and whether it is sealed. */
export type StoredEvent<T extends EventType = EventType> = LiveEvent<T> & { sealed: boolean };

/** `event` as one of `type`, checked: what a write made first is the type it planned, or this throws. */
export function eventOfType<T extends EventType>(event: StoredEvent | undefined, type: T): StoredEvent<T> {
	if (event?.type !== type) throw new Error(`a ${type} event was expected, not ${event?.type ?? 'none'}`);
	return event as StoredEvent<T>;
}


export { pathCodes, pathOf };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toEvent(row: any): StoredEvent {
	return {
		seq: row.seq,
		type: row.type,
		at: new Date(row.at).toISOString(),
		actor: row.actor,
		path: pathOfRow(row),
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
			digest: event.requestDigest ?? null,
			cause: event.causeIndex === undefined ? null : event.causeIndex + 1,
			indicators: event.indicators ?? false
		};
	});
	const counties = [...new Set(rows.filter((row) => row.indicators && row.county !== null).map((row) => row.county as string))];
	const locked = tx`select pg_advisory_xact_lock(${EVENT_LOCK}::bigint)`.execute();
	const insert = tx`
			insert into event (seq, at, type, province_code, city_code, county_code, township_code, village_code,
				actor, payload, sealed, idempotency_key, request_digest)
			-- the clock read under the lock, not at the transaction's start, so that at runs with seq
			select m.head + r.ord, clock_timestamp(), r.type, r.province, r.city, r.county, r.township, r.village, r.actor,
				r.payload
					|| case when r.cause is null then '{}'::jsonb else jsonb_build_object('cause', m.head + r.cause) end
					|| case when r.indicators then jsonb_build_object('regions', coalesce(f.regions, '[]'::jsonb)) else '{}'::jsonb end,
				r.sealed, r.key, r.digest
			from (select coalesce(max(seq), 0) as head from event) m,
				jsonb_to_recordset(${tx.json(rows as never)}) as r(ord int, type text, province text, city text, county text,
					township text, village text, actor text, payload jsonb, sealed boolean, key text, digest text, cause int, indicators boolean)
				-- every county's figures in one pass, however many counties the batch moved
				left join counties_indicators(${counties}::text[]) f on r.indicators and f.county = r.county
			order by r.ord
			returning seq, type, province_code, city_code, county_code, township_code, village_code, at, actor, payload, sealed`.execute();
	// marked as ended: `transaction` sends no COMMIT of its own after this one
	const committed = commit ? tx`commit`.execute() : null;
	if (commit) endedInPipeline.add(tx);
	const [, inserted] = await Promise.all([locked, insert, committed]);
	return inserted.map(toEvent).sort((a, b) => a.seq - b.seq);
}

export async function appendEvent(tx: Db, event: NewEvent): Promise<StoredEvent> {
	return (await appendEvents(tx, [event]))[0];
}

/**
 * What a viewer may see of the log (SPEC §4, §5): sealed events (team movements, unannounced
 * assignments) only if `sealed`, or those of its own `team`; and figures only of the regions
 * its scope holds (`figures`: the highest level it reads, and the region there; a code of null
 * is any region at that level the viewer reaches, as an inspector's assigned counties).
 */
export interface Reader {
	sealed: boolean;
	team: string | null;
	/** null: every region's (the publisher, which reads the whole log and cuts per receiver) */
	figures: { level: Level; code: string | null } | null;
}

/** No region at all: a user without a scope reads no figures. */
const NO_FIGURES = { level: 'village', code: '' } as const;

export function readerOf(viewer: Viewer): Reader {
	if (viewer.kind !== 'user') return { sealed: false, team: null, figures: { level: viewer.scope.level, code: viewer.scope.code } };
	const sealed = viewer.role === 'dispatcher' || viewer.role === 'admin' || (viewer.role === 'leader' && viewer.scope?.level === 'province');
	if (viewer.role === 'inspector') return { sealed: false, team: viewer.team, figures: { level: 'county', code: null } };
	return { sealed, team: null, figures: viewer.scope ? { level: viewer.scope.level, code: viewer.scope.code } : NO_FIGURES };
}

/** Everything the whole log holds: the publisher, which cuts what each receiver gets with `shown`. */
export const EVERYONE: Reader = { sealed: true, team: null, figures: null };

/** One key per distinct way of cutting events: receivers with the same key get the same copy. */
export const readerKey = (reader: Reader): string =>
	`${reader.sealed ? 1 : 0}|${reader.team ?? ''}|${reader.figures ? `${reader.figures.level}:${reader.figures.code ?? '*'}` : '*'}`;

const DEPTH: Record<Level, number> = { province: 0, city: 1, county: 2, township: 3, village: 4 };

/** Whether `reader` may read the figures of the region at `level` on `path`. */
function readsFigures(reader: Reader, path: EventPath, level: Level): boolean {
	const figures = reader.figures;
	if (!figures) return true;
	if (DEPTH[level] < DEPTH[figures.level]) return false;
	return figures.code === null || path[figures.level] === figures.code;
}

/**
 * Who reads a sealed event (SPEC §4: team movements, unannounced assignments, the province's own
 * plans), the one rule: those who read teams read every sealed event (`'all'`); an inspector
 * those of its own team; anyone else none. `mayRead` applies it to an event and `readable` to
 * the event table, each a plain rendering of this answer, so that the two cannot part.
 */
export function sealedReach(reader: Reader): 'all' | string[] {
	if (reader.sealed) return 'all';
	return reader.team === null ? [] : [reader.team];
}

/** The team an event is about, as its payload names it (only a string names one). */
export function teamOf(event: { payload: object }): string | null {
	const team = (event.payload as { team?: unknown }).team;
	return typeof team === 'string' ? team : null;
}

/** Whether `reader` may read `event` as far as its seal goes (`sealedReach`). */
export function mayRead(reader: Reader, event: Pick<StoredEvent, 'sealed' | 'payload'>): boolean {
	if (!event.sealed) return true;
	const reach = sealedReach(reader);
	if (reach === 'all') return true;
	const team = teamOf(event);
	return team !== null && reach.includes(team);
}

/**
 * The one rule of what a viewer sees of an event, on every path (the live stream, the replay
 * over the socket and `GET /api/events`, the county's feed, a problem's timeline): null for a
 * sealed event it may not read (`mayRead`); otherwise the event without its seal, cut to what
 * its scope may read. An event reaches a viewer through a region on its path that the viewer
 * reads; of its payload, the figures of the regions above that (the city's and the province's
 * inside `indicators.changed`) are cut.
 */
export function shown(reader: Reader, event: StoredEvent): LiveEvent | null {
	if (!mayRead(reader, event)) return null;
	const { sealed, ...open } = event;
	if (open.type !== 'indicators.changed' || !reader.figures) return open;
	const regions = open.payload.regions.filter((region) => readsFigures(reader, open.path, region.level));
	return regions.length === open.payload.regions.length ? open : { ...open, payload: { ...open.payload, regions } };
}

export interface EventQuery {
	region: Region | null;
	after: number;
	limit: number;
	/** no event above this seq (the replay stops where the live stream takes over) */
	upTo?: number;
}

/**
 * `mayRead` as a condition on the event table (`and …`, or nothing for a reader of every sealed
 * event), from the same `sealedReach`: a query's limit then counts what `shown` leaves, and a
 * replay page is never short. tests/db/sealed-read.test.ts holds the two to the same answer.
 */
export function readable(db: Db, reader: Reader) {
	const reach = sealedReach(reader);
	if (reach === 'all') return db``;
	if (!reach.length) return db`and not sealed`;
	return db`and (not sealed or (jsonb_typeof(payload -> 'team') = 'string' and payload ->> 'team' = any(${reach}::text[])))`;
}

/** The newest `limit` events of `region` as `reader` sees them, newest first, leaving out `indicators.changed` (a feed). */
export async function latestEvents(db: Db, region: Region, reader: Reader, limit: number): Promise<LiveEvent[]> {
	const rows = await db`
		select seq, type, province_code, city_code, county_code, township_code, village_code, at, actor, payload, sealed
		from event
		where ${db(STORED_PATH_COLUMN[region.level])} = ${region.code} and type <> 'indicators.changed' ${readable(db, reader)}
		order by seq desc limit ${limit}`;
	return seen(reader, rows.map(toEvent));
}

/** The events of one ledger item (`problem.*`), oldest first, as `reader` sees them. */
export async function problemEvents(db: Db, problem: number, reader: Reader, limit = 1000): Promise<LiveEvent[]> {
	const rows = await db`
		select seq, type, province_code, city_code, county_code, township_code, village_code, at, actor, payload, sealed
		from event
		where type like 'problem.%' and (payload ->> 'problem')::bigint = ${problem} ${readable(db, reader)}
		order by seq limit ${limit}`;
	return seen(reader, rows.map(toEvent));
}

/** `events` as `reader` sees them, those it may not see left out. */
export const seen = (reader: Reader, events: StoredEvent[]): LiveEvent[] =>
	events.map((event) => shown(reader, event)).filter((event): event is LiveEvent => event !== null);

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
			${q.region ? db`and ${db(STORED_PATH_COLUMN[q.region.level])} = ${q.region.code}` : db``}
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

/** The event already written under `key`, if any: its seq and the digest of the request it came with. */
export async function writeOfKey(db: Db, key: string): Promise<{ seq: number; digest: string | null } | null> {
	const [row] = await db`select seq, request_digest from event where idempotency_key = ${key}`;
	return row ? { seq: row.seq, digest: row.request_digest } : null;
}

export async function lastSeq(db: Db): Promise<number> {
	const [row] = await db`select coalesce(max(seq), 0) as seq from event`;
	return Number(row.seq);
}
