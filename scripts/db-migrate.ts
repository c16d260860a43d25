// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database in DATA_DIR.
import { loadConfig } from '../src/lib/server/config';
import { closeDatabase, openDatabase } from '../src/lib/server/db';
import { migrate } from '../src/lib/server/db/migrate';

const config = loadConfig();
const { sql, kind } = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
	const applied = await migrate(sql);
	console.log(applied.length ? `applied to the ${kind} database: ${applied.join(', ')}` : `the ${kind} database is up to date`);
} finally {
	await closeDatabase();
}
