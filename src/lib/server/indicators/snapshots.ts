import { sql as defaultSql, type Db, type Sql } from '../db';
import { findRegion } from '../geo/regions';
import { indicatorsAt } from './queries';
import type { IndicatorValues, Level } from '$lib/indicators';

/** Levels kept by the counters: cheap to read whole, and what rankings and tiles compare. */
const SNAPSHOT_LEVELS: Level[] = ['province', 'city', 'county'];

export interface Baseline {
	takenOn: string;
	values: IndicatorValues;
}

/**
 * Takes today's snapshot of every province, city and county unless one exists; returns the
 * rows written. Safe on several nodes at once: a second writer's rows are skipped.
 */
export async function takeSnapshot(db: Sql = defaultSql): Promise<number> {
	const [{ taken }] = await db`select exists (select 1 from indicator_snapshot where taken_on = current_date) as taken`;
	if (taken) return 0;
	// the day has turned: every counter's recent follow-ups recounted for it (see migration 0013)
	await db`select refresh_followed()`;
	return (await db.begin(async (tx) => {
		let written = 0;
		for (const { code } of await tx`select code from region where level = 'province' order by code`) {
			const province = await findRegion(code, tx);
			if (!province) continue;
			for (const level of SNAPSHOT_LEVELS) {
				const { items } = await indicatorsAt(province, level, {}, tx);
				const rows = items.map((item) => ({ code: item.code, values: item.indicators }));
				const inserted = await tx`
					insert into indicator_snapshot (region_code, taken_on, values)
					select t.code, current_date, t.values
					from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as t(code text, values jsonb)
					on conflict (region_code, taken_on) do nothing
					returning region_code`;
				written += inserted.length;
			}
		}
		return written;
	})) as number;
}

/** The latest snapshot of each region in `codes`: what "change" is measured against. */
export async function baselines(codes: string[], db: Db = defaultSql): Promise<Map<string, Baseline>> {
	if (!codes.length) return new Map();
	const rows = await db`
		select distinct on (region_code) region_code, taken_on::text as taken_on, values
		from indicator_snapshot
		where region_code in ${db(codes)} and taken_on <= current_date
		order by region_code, taken_on desc`;
	return new Map(rows.map((row) => [row.region_code as string, { takenOn: row.taken_on as string, values: row.values as IndicatorValues }]));
}

/** Checks every `intervalMs` for a new day's snapshot to take (boot takes the first); returns the stop function. */
export function keepSnapshots(intervalMs = 15 * 60_000): () => void {
	let running = false;
	const check = async () => {
		if (running) return;
		running = true;
		try {
			await takeSnapshot();
		} catch (error) {
			console.error('indicator snapshot failed:', (error as Error).message);
		} finally {
			running = false;
		}
	};
	const timer = setInterval(() => void check(), intervalMs);
	timer.unref();
	return () => clearInterval(timer);
}
