import postgres from 'postgres';
import { forkEmbedded, type EmbeddedDatabase } from './embedded';
import { currentWork, type RequestWork } from './request-context';
import { TIME_ZONE } from '../../days';

export type Sql = postgres.Sql;
/** A client or an open transaction: what functions that query take. */
export type Db = postgres.Sql | postgres.TransactionSql;
export type DbKind = 'embedded' | 'postgres';

interface Database {
	sql: Sql;
	kind: DbKind;
	url: string;
	embedded?: EmbeddedDatabase;
}

// The SvelteKit bundle and the server entry each load this module; both must use one pool.
const KEY = Symbol.for('hcc.database');
const holder = globalThis as unknown as Record<symbol, Database | undefined>;

export interface OpenOptions {
	databaseUrl?: string;
	dataDir: string;
	embeddedPort?: number;
}

function client(url: string, kind: DbKind): Sql {
	return postgres(url, {
		max: kind === 'embedded' ? 4 : 10,
		// a database that does not answer is reported (503) within seconds, not after the default 30
		connect_timeout: 5,
		// postgres.js 3.4.9 skips reserving a transaction's connection when its BEGIN is the query
		// that fills the connection's pipeline: under load a request then failed with
		// UNSAFE_TRANSACTION (a 500, seen in the bench), or worse, other queries ran inside the
		// transaction (https://github.com/porsager/postgres/issues/1189, #823). With a pipeline
		// that never fills, that boundary is never reached; the pool still spreads queries over
		// its connections as before.
		...({ max_pipeline: 1_000_000 } as object), // a driver option its type declarations leave out
		onnotice: () => {},
		// days are Asia/Shanghai's whatever the server's zone: current_date is the deadline rule's today
		connection: { application_name: 'health-command-center', TimeZone: TIME_ZONE },
		// counts and seq values stay far below 2^53; numbers serialise to JSON as they are
		types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } }
	});
}

/**
 * postgres.js 3.4.9 mishandles a connection whose socket closes while a small write waits to
 * be flushed (a database restart under load): the deferred write either throws where no caller
 * can catch it, which would end the process, or never goes out, so that every later query on
 * that connection waits for ever (https://github.com/porsager/postgres/issues/1208, fix proposed
 * in #1209). Until a release has the fix, the pool is replaced once the database has been
 * unreachable: a new pool cannot inherit a stuck connection. In-flight queries of the old one
 * get `timeout` seconds, then fail as unavailable (503).
 */
let renewedAt = 0;
/** When the database was last found unreachable (0: never). */
export const unreachableSince = (): number => renewedAt;

export function renewPool(): void {
	const current = holder[KEY];
	if (!current || Date.now() - renewedAt < 1000) return;
	renewedAt = Date.now();
	const stale = current.sql;
	current.sql = client(current.url, current.kind);
	void stale.end({ timeout: 5 }).catch(() => {});
}

const isWriteAfterClose = (error: unknown) =>
	error instanceof TypeError && /reading 'write'/.test(error.message) && /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '');

let guarded = false;
/** The throwing case: that one error is caught and the pool replaced; any other still ends the process. */
function guardWriteAfterClose(): void {
	if (guarded) return;
	guarded = true;
	process.on('uncaughtException', (error) => {
		if (!holder[KEY] || !isWriteAfterClose(error)) {
			console.error(error);
			process.exit(1);
		}
		console.error('database connection closed during a write; opening a new pool');
		renewPool();
	});
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
	const existing = holder[KEY];
	if (existing) return existing;
	let database: Database;
	if (options.databaseUrl) {
		database = { sql: client(options.databaseUrl, 'postgres'), kind: 'postgres', url: options.databaseUrl };
	} else {
		// in a process of its own: its queries do not hold up this one's event loop, and its heap,
		// which never shrinks, is not this process's
		const embedded = await forkEmbedded(options.dataDir, options.embeddedPort ?? 0);
		database = { sql: client(embedded.url, 'embedded'), kind: 'embedded', url: embedded.url, embedded };
	}
	holder[KEY] = database;
	guardWriteAfterClose();
	return database;
}

export function database(): Database {
	const current = holder[KEY];
	if (!current) throw new Error('database not opened: boot() must run first');
	return current;
}

export async function closeDatabase(): Promise<void> {
	const current = holder[KEY];
	if (!current) return;
	holder[KEY] = undefined;
	await current.sql.end({ timeout: 5 });
	await current.embedded?.stop();
}

/** A query stopped with the request it worked for (the code PostgreSQL gives a cancelled statement). */
export class QueryStopped extends Error {
	readonly code = '57014';
}

/** What `stopWithRequest` touches of a postgres.js query (src/query.js, 3.4.9). */
interface QueryInternals {
	executed: boolean;
	/** set once sent on a connection */
	state: unknown;
	/** the connection's current statement */
	active: boolean;
	handler: (query: QueryInternals) => unknown;
	resolve: (value: unknown) => unknown;
	reject: (error: unknown) => unknown;
	cancel(): unknown;
}

/**
 * Ties a query to the request it is made for: once the request stops (its caller left, or its
 * time ran out) the query is not sent if it has not been. One already sent runs to its end (the
 * limits of what a request may ask keep that short): PGlite cannot be interrupted, and on
 * PostgreSQL a cancel request races the connection's next statement. postgres.js 3.4.9 then
 * fails or mismatches another request's query: cancelling running reads under a flood gave
 * other requests 500s and an empty session lookup (a 401), where without it they gave none.
 */
function stopWithRequest(query: unknown, work: RequestWork): void {
	const q = query as QueryInternals;
	if (typeof q?.cancel !== 'function' || typeof q.handler !== 'function') return;
	let settled = false;
	const stop = () => {
		// queued in the pool, not yet on a connection: taken out of the queue and refused
		if (settled || !q.executed || q.state) return;
		void Promise.resolve(q.cancel()).catch(() => {});
	};
	const { handler, resolve, reject } = q;
	const done = () => {
		settled = true;
		work.signal.removeEventListener('abort', stop);
	};
	q.resolve = (value) => (done(), resolve(value));
	q.reject = (error) => (done(), reject(error));
	// a query made after its request stopped is refused when it would go out
	q.handler = Object.assign((self: QueryInternals) => (work.signal.aborted ? q.reject(new QueryStopped('request stopped')) : handler(self)), {
		debug: (handler as { debug?: unknown }).debug
	});
	work.signal.addEventListener('abort', stop, { once: true });
}

/** The one client; a tagged template like `postgres`'s own, resolved at call time. */
export const sql: Sql = new Proxy(function () {} as unknown as Sql, {
	apply: (_target, _this, args) => {
		const current = database();
		const result = (current.sql as unknown as (...a: unknown[]) => unknown)(...args);
		const work = currentWork();
		// a tagged template is a query (or a fragment of one, which never runs itself)
		if (work && Array.isArray((args[0] as { raw?: unknown })?.raw)) stopWithRequest(result, work);
		return result;
	},
	has: (_target, property) => property in database().sql,
	get: (_target, property) => {
		const value = (database().sql as unknown as Record<PropertyKey, unknown>)[property];
		return typeof value === 'function' ? value.bind(database().sql) : value;
	}
});

/** Transactions whose writer sent their COMMIT itself (see `transaction`). */
export const endedInPipeline = new WeakSet<object>();

/** A transaction on a connection held for it alone (see `transaction`). */
export type ReservedTx = postgres.ReservedSql;

/**
 * A transaction that its writer may end itself, with a COMMIT sent in the same pipeline as its
 * last statement (`appendEvents(…, { commit: true })`). postgres.js's `begin` cannot carry
 * that: it hands its connection back to the pool as soon as PostgreSQL reports it idle. Here the
 * connection stays reserved until `work` is done; what `work` left open is committed after it,
 * and rolled back if it throws (a ROLLBACK with nothing open only draws a warning).
 */
export async function transaction<T>(db: Sql, work: (tx: ReservedTx) => Promise<T>): Promise<T> {
	const tx = await db.reserve();
	try {
		// the BEGIN goes out in one write with the work's first statement
		const begun = tx`begin`.execute();
		let result: T;
		try {
			[, result] = await Promise.all([begun, work(tx)]);
		} catch (error) {
			await tx`rollback`.catch(() => {});
			throw error;
		}
		if (!endedInPipeline.has(tx)) await tx`commit`;
		return result;
	} finally {
		tx.release();
	}
}
