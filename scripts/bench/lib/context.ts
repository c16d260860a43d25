import type postgres from 'postgres';
import type { AppServer } from '../../../tests/setup/app-server';
import type { ProbeReport } from './server';

/** One measured figure: what, how much, the SPEC §8 target if it has one, and how it was measured. */
export interface Row {
	group: string;
	name: string;
	value: number | string | null;
	unit: string;
	target?: string;
	/** whether the figure meets its target (absent when it has none) */
	ok?: boolean;
	detail?: Record<string, unknown>;
}

export interface BenchContext {
	quick: boolean;
	/** the app under test, on a fresh copy of the full-scale database */
	app: AppServer & { probe(): Promise<ProbeReport>; resetProbe(): void };
	/** a client of the app's database */
	db: postgres.Sql;
	/** session cookies the bench made for itself */
	cookies: { dispatcher: string; leader: () => string; county: (code: string) => string };
	counties: string[];
	/** the map pages to measure (`--page /wall`), or null for every one */
	pages: string[] | null;
	log(line: string): void;
	record(row: Row): void;
}

/** A bench phase: one capability's measurements. Later capabilities add their own to `phases/index.ts`. */
export interface Phase {
	name: string;
	run(ctx: BenchContext): Promise<void>;
}
