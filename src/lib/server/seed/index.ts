import type { Sql } from '../db';
import { seedRealRegions } from './boundaries';
import { seedFacilities } from './facilities';
import { markKeyCounties, markKeyVillages } from './key-flags';
import { seedPatients } from './patients';
import { seedProblems } from './problems';
import { createRandomFunctions } from './random';
import { SCALES } from './scales';
import { generateSites } from './sites';
import { countSeeded, type SeedCounts } from './summary';
import { seedTeams } from './teams';
import { seedTownships } from './townships';
import type { SeedContext, SeedOptions, Tx } from './types';
import { rollUpPopulation, seedVillages } from './villages';

export { clearData } from './clear';
export type { Scale, SeedOptions } from './types';

export interface SeedSummary {
	scale: SeedOptions['scale'];
	random: number;
	asOf: string;
	counts: SeedCounts;
	elapsedMs: number;
	/** milliseconds per step, to see where the time goes */
	stepMs: Record<string, number>;
}

/**
 * Fills an empty, migrated database with the demo data set (SPEC §7) in one transaction:
 * real provinces, cities and counties, and synthetic places, facilities, patients, problems
 * and teams below them. The same (scale, random, asOf) gives the same rows.
 */
export async function seed(sql: Sql, options: SeedOptions): Promise<SeedSummary> {
	return (await sql.begin((tx) => seedInTransaction(tx, options))) as SeedSummary;
}

/** The seed inside a transaction the caller holds (e.g. after emptying the tables). */
export async function seedInTransaction(tx: Tx, options: SeedOptions): Promise<SeedSummary> {
	const started = performance.now();
	validate(options);
	const [{ empty }] = await tx`select not exists (select 1 from region) as empty`;
	if (!empty) throw new Error('seed: the database already holds regions; seed an empty database');
	const ctx: SeedContext = { tx, options, scale: SCALES[options.scale], salt: (name) => `${options.random}:${name}` };
	await createRandomFunctions(tx);
	const stepMs: Record<string, number> = {};
	const time = async (name: string, run: () => Promise<unknown>) => {
		const start = performance.now();
		await run();
		stepMs[name] = Math.round(performance.now() - start);
	};
	for (const step of STEPS) await time(step.name, () => step(ctx));
	await time('recomputeCounters', () => tx`select recompute_counters()`);
	// fresh statistics: PGlite runs no autovacuum, and the indicator queries need good estimates
	await time('analyze', () => tx`analyze`);
	const meta = { demo: true, scale: options.scale, random: options.random, asOf: options.asOf, seededAt: new Date().toISOString() };
	await tx`insert into app_meta (key, value) values ('dataset', ${JSON.stringify(meta)}::text::jsonb)`;
	const counts = await countSeeded(tx);
	const elapsedMs = Math.round(performance.now() - started);
	return { scale: options.scale, random: options.random, asOf: options.asOf, counts, elapsedMs, stepMs };
}

const STEPS: ReadonlyArray<(ctx: SeedContext) => Promise<void>> = [
	seedRealRegions,
	markKeyCounties,
	generateSites,
	seedTownships,
	seedVillages,
	rollUpPopulation,
	markKeyVillages,
	seedFacilities,
	seedPatients,
	seedProblems,
	seedTeams
];

function validate({ scale, random, asOf }: SeedOptions): void {
	if (!(scale in SCALES)) throw new Error(`seed: unknown scale ${String(scale)} (test, demo or full)`);
	if (!Number.isSafeInteger(random)) throw new Error('seed: random must be an integer');
	if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(`${asOf}T00:00:00Z`)) ||
		new Date(`${asOf}T00:00:00Z`).toISOString().slice(0, 10) !== asOf) {
		throw new Error(`seed: asOf must be a date YYYY-MM-DD, got ${asOf}`);
	}
}
