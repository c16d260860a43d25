import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Sql } from './index';

export const MIGRATIONS_DIR = resolve(process.cwd(), 'db/migrations');
const LOCK = 7_320_001; // advisory lock key: one node migrates at a time

/**
 * Applies the forwards-only SQL files of `dir` in name order, all pending ones in one
 * transaction so that a failing file leaves none of them applied,
 * and records them; returns the names it applied. Safe to run from several nodes at once.
 */
export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
	const files = readdirSync(dir)
		.filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
		.sort();
	return sql.begin(async (tx) => {
		await tx`select pg_advisory_xact_lock(${LOCK})`;
		await tx`create table if not exists schema_migration (
			name text primary key,
			applied_at timestamptz not null default now()
		)`;
		const done = new Set((await tx`select name from schema_migration`).map((row) => row.name as string));
		const applied: string[] = [];
		for (const name of files) {
			if (done.has(name)) continue;
			await tx.unsafe(readFileSync(join(dir, name), 'utf8'));
			await tx`insert into schema_migration (name) values (${name})`;
			applied.push(name);
		}
		return applied;
	});
}
