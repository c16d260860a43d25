import { loadConfig, type Config } from './config';
import { openDatabase, type DbKind } from './db';
import { migrate } from './db/migrate';
import { seed } from './seed';
import { assertNoStrayDemoUsers, createDemoUsers } from './auth/demo-users';
import { takeSnapshot } from './indicators/snapshots';

export interface Booted {
	config: Config;
	db: DbKind;
}

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Opens the database (embedded PGlite+PostGIS unless DATABASE_URL is set), applies the
 * migrations and, on an empty embedded database, loads the demo data. Shared by the
 * production entry and the Vite dev plugin.
 */
export async function boot(env: NodeJS.ProcessEnv = process.env): Promise<Booted> {
	const config = loadConfig(env);
	const { sql, kind } = await openDatabase({
		databaseUrl: config.DATABASE_URL,
		dataDir: config.DATA_DIR,
		embeddedPort: config.EMBEDDED_DB_PORT
	});
	const applied = await migrate(sql);
	if (applied.length) console.log(`migrations applied: ${applied.join(', ')}`);
	const scale = config.SEED ?? (kind === 'embedded' ? 'demo' : 'none');
	const [{ empty }] = await sql`select not exists (select 1 from region) as empty`;
	if (scale !== 'none' && empty) {
		console.log(`loading ${scale} data…`);
		const summary = await seed(sql, { scale, random: config.SEED_RANDOM, asOf: today() });
		await sql.begin((tx) => createDemoUsers(tx));
		console.log(`demo data and demo accounts loaded in ${(summary.elapsedMs / 1000).toFixed(1)} s`);
	}
	await assertNoStrayDemoUsers(sql);
	// "change today" needs the day's first values: taken now if the day has none yet
	await takeSnapshot(sql);
	return { config, db: kind };
}
