// The bench's PostgreSQL databases: a `full` scale template seeded once and kept while the
// migrations and the seed match, and for each run a fresh copy of it (`create database … template`).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import postgres from 'postgres';
import { MIGRATIONS_DIR } from '../../../src/lib/server/db/migrate';
import { hashPassword } from '../../../src/lib/server/auth/passwords';

export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// BENCH_TEMPLATE: another name, for runs on branches whose migrations differ
const TEMPLATE = process.env.BENCH_TEMPLATE ?? 'hcc_bench_full';
const SEED_RANDOM = 20191225;
/** The password of the bench's county officers (created in the template, one per county). */
export const BENCH_PASSWORD = 'bench-password';

const options = { onnotice: () => {}, types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } } };

export const urlOf = (name: string) => {
	const url = new URL(SERVER_URL);
	url.pathname = `/${name}`;
	return url.toString();
};

export const connect = (url: string, max = 4, extra: postgres.Options<Record<string, never>> = {}) => postgres(url, { ...options, ...extra, max });

const migrationFiles = () => readdirSync(MIGRATIONS_DIR).filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name)).sort();

/** Why the template cannot be reused, or null when it can. */
async function staleness(admin: postgres.Sql): Promise<string | null> {
	const [exists] = await admin`select 1 from pg_database where datname = ${TEMPLATE}`;
	if (!exists) return 'no template yet';
	const db = connect(urlOf(TEMPLATE), 1);
	try {
		const applied = (await db`select name from schema_migration order by name`).map((r) => r.name as string);
		if (applied.join() !== migrationFiles().join()) return 'migrations changed';
		const [meta] = await db`select value from app_meta where key = 'dataset'`;
		if (meta?.value?.scale !== 'full' || meta?.value?.random !== SEED_RANDOM) return 'seed differs';
		const [bench] = await db`select value from app_meta where key = 'bench'`;
		if (!bench) return 'bench accounts missing';
		return null;
	} catch (error) {
		return `unreadable (${(error as Error).message})`;
	} finally {
		await db.end();
	}
}

/** One county officer per county of the province (the live bench's county-scoped clients). */
async function addBenchAccounts(url: string): Promise<void> {
	const db = connect(url, 1);
	try {
		const hash = await hashPassword(BENCH_PASSWORD);
		await db.begin(async (tx) => {
			await tx`
				insert into app_user (username, password_hash, role, scope_region)
				select 'bench-' || code, ${hash}, 'county_officer', code from region where level = 'county' and province_code = '370000'
			`;
			await tx`insert into app_meta (key, value) values ('bench', ${JSON.stringify({ createdAt: new Date().toISOString() })}::text::jsonb)`;
		});
	} finally {
		await db.end();
	}
}

/** Makes sure a current `full` template exists (seeding it takes about a minute); returns its name. */
export async function ensureTemplate(log: (line: string) => void): Promise<string> {
	const admin = connect(SERVER_URL, 1);
	try {
		const why = await staleness(admin);
		if (!why) return TEMPLATE;
		log(`seeding the full-scale template database ${TEMPLATE} (${why})…`);
		await admin.unsafe(`drop database if exists ${TEMPLATE} with (force)`);
		await admin.unsafe(`create database ${TEMPLATE}`);
		const seeded = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db-seed.ts', '--scale', 'full', '--random', String(SEED_RANDOM)], {
			env: { ...process.env, DATABASE_URL: urlOf(TEMPLATE) },
			stdio: ['ignore', 'inherit', 'inherit']
		});
		if (seeded.status !== 0) throw new Error(`seeding the template failed (${seeded.status})`);
		await addBenchAccounts(urlOf(TEMPLATE));
		const db = connect(urlOf(TEMPLATE), 1);
		await db`vacuum analyze`;
		await db.end();
		return TEMPLATE;
	} finally {
		await admin.end();
	}
}

export interface RunDatabase {
	name: string;
	url: string;
	drop(): Promise<void>;
}

/** A fresh copy of the template for one run, dropped afterwards (unless kept for inspection). */
export async function runDatabase(template: string): Promise<RunDatabase> {
	const admin = connect(SERVER_URL, 1);
	const name = `hcc_bench_run_${process.pid}`;
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.unsafe(`create database ${name} template ${template}`);
	return {
		name,
		url: urlOf(name),
		async drop() {
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end();
		}
	};
}
