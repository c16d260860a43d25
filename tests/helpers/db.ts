import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startEmbedded } from '../../src/lib/server/db/embedded';
import { migrate } from '../../src/lib/server/db/migrate';
import type { Sql } from '../../src/lib/server/db';

export interface TestDatabase {
	sql: Sql;
	url: string;
	kind: 'embedded' | 'postgres';
	close(): Promise<void>;
}

/** The server the suite runs against: DATABASE_URL (a PostgreSQL server, on which it creates fresh databases) or embedded. */
export const serverUrl = process.env.DATABASE_URL;

const options = {
	onnotice: () => {},
	// as the app's own clients: days are Asia/Shanghai's (src/lib/days.ts)
	connection: { TimeZone: 'Asia/Shanghai' },
	types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } }
};

/**
 * A new, empty, migrated database of the kind under test: a fresh database on the
 * PostgreSQL server, or an embedded PGlite with PostGIS in a temporary directory.
 */
export async function freshDatabase({ migrated = true } = {}): Promise<TestDatabase> {
	let db: TestDatabase;
	if (serverUrl) {
		const name = `hcc_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
		const admin = postgres(serverUrl, { ...options, max: 1 });
		await admin.unsafe(`create database ${name}`);
		const url = new URL(serverUrl);
		url.pathname = `/${name}`;
		const sql = postgres(url.toString(), { ...options, max: 4 });
		db = {
			sql: sql as unknown as Sql,
			url: url.toString(),
			kind: 'postgres',
			async close() {
				await sql.end({ timeout: 1 });
				await admin.unsafe(`drop database if exists ${name} with (force)`);
				await admin.end({ timeout: 1 });
			}
		};
	} else {
		const dir = mkdtempSync(join(tmpdir(), 'hcc-test-'));
		const embedded = await startEmbedded(dir);
		const sql = postgres(embedded.url, { ...options, max: 4 });
		db = {
			sql: sql as unknown as Sql,
			url: embedded.url,
			kind: 'embedded',
			async close() {
				await sql.end({ timeout: 1 });
				await embedded.stop();
				rmSync(dir, { recursive: true, force: true });
			}
		};
	}
	if (migrated) await migrate(db.sql);
	return db;
}
