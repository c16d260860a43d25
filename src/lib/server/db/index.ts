import postgres from 'postgres';
import { startEmbedded, type EmbeddedDatabase } from './embedded';

export type Sql = postgres.Sql;
/** A client or an open transaction: what functions that query take. */
export type Db = postgres.Sql | postgres.TransactionSql;
export type DbKind = 'embedded' | 'postgres';

interface Database {
	sql: Sql;
	kind: DbKind;
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
		onnotice: () => {},
		connection: { application_name: 'health-command-center' },
		// counts and seq values stay far below 2^53; numbers serialise to JSON as they are
		types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } }
	});
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
	const existing = holder[KEY];
	if (existing) return existing;
	let database: Database;
	if (options.databaseUrl) {
		database = { sql: client(options.databaseUrl, 'postgres'), kind: 'postgres' };
	} else {
		const embedded = await startEmbedded(options.dataDir, options.embeddedPort ?? 0);
		database = { sql: client(embedded.url, 'embedded'), kind: 'embedded', embedded };
	}
	holder[KEY] = database;
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

/** The one client; a tagged template like `postgres`'s own, resolved at call time. */
export const sql: Sql = new Proxy(function () {} as unknown as Sql, {
	apply: (_target, _this, args) => (database().sql as unknown as (...a: unknown[]) => unknown)(...args),
	has: (_target, property) => property in database().sql,
	get: (_target, property) => {
		const value = (database().sql as unknown as Record<PropertyKey, unknown>)[property];
		return typeof value === 'function' ? value.bind(database().sql) : value;
	}
});
