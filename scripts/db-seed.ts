// `npm run db:seed -- --scale demo|full|test [--random N] [--as-of YYYY-MM-DD]`: replaces all data
// in DATABASE_URL, or in the embedded database in DATA_DIR, with a freshly seeded demo data set.
// The embedded database must not be open in a running server at the same time.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/lib/server/config';
import { closeDatabase, openDatabase } from '../src/lib/server/db';
import { migrate } from '../src/lib/server/db/migrate';
import { createDemoUsers } from '../src/lib/server/auth/demo-users';
import { clearData, seedInTransaction, type Scale, type SeedSummary } from '../src/lib/server/seed';

const USAGE = `usage: npm run db:seed -- --scale test|demo|full [--random N] [--as-of YYYY-MM-DD]

  --scale   test: Ningxia only; demo: the four provinces, small; full: Shandong at real size
  --random  integer seed of the synthetic data (default: the SEED_RANDOM setting)
  --as-of   the day the data describes (default today, UTC)

Empties every data table (users included) and seeds, with the demo accounts, in one transaction.
Stop the server first when it runs on the embedded database in DATA_DIR.`;

interface Args {
	scale: Scale;
	random?: number;
	asOf?: string;
}

function parse(argv: string[]): Args {
	const { values } = parseArgs({
		args: argv,
		strict: true,
		options: { scale: { type: 'string' }, random: { type: 'string' }, 'as-of': { type: 'string' }, help: { type: 'boolean' } }
	});
	if (values.help) usage(0);
	const scale = values.scale;
	if (scale !== 'test' && scale !== 'demo' && scale !== 'full') throw new Error('--scale must be test, demo or full');
	if (values.random !== undefined && !/^-?\d{1,15}$/.test(values.random)) throw new Error('--random must be an integer');
	const asOf = values['as-of'];
	if (asOf !== undefined && !isDate(asOf)) throw new Error('--as-of must be a date YYYY-MM-DD');
	return { scale, random: values.random === undefined ? undefined : Number(values.random), asOf };
}

function isDate(text: string): boolean {
	const day = new Date(`${text}T00:00:00Z`);
	return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

function usage(code: number, message?: string): never {
	if (message) console.error(`db:seed: ${message}\n`);
	(code ? console.error : console.log)(USAGE);
	process.exit(code);
}

function report(summary: SeedSummary, kind: string): void {
	console.log(`seeded the ${kind} database: scale ${summary.scale}, random ${summary.random}, as of ${summary.asOf}, ${(summary.elapsedMs / 1000).toFixed(1)} s`);
	for (const [key, value] of Object.entries(summary.counts)) console.log(`  ${key.padEnd(16)} ${value.toLocaleString('en-US')}`);
}

let args: Args;
try {
	args = parse(process.argv.slice(2));
} catch (error) {
	usage(2, (error as Error).message);
}

const config = loadConfig();
const { sql, kind } = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
try {
	await migrate(sql);
	const options = { scale: args.scale, random: args.random ?? config.SEED_RANDOM, asOf: args.asOf ?? new Date().toISOString().slice(0, 10) };
	const summary = (await sql.begin(async (tx) => {
		await clearData(tx);
		const seeded = await seedInTransaction(tx, options);
		await createDemoUsers(tx);
		return seeded;
	})) as SeedSummary;
	report(summary, kind);
} catch (error) {
	console.error(`db:seed: ${(error as Error).message}`);
	process.exitCode = 1;
} finally {
	await closeDatabase();
}
