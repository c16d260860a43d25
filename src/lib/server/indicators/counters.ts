import type { Db } from '../db';

interface UnitState {
	counts: string; // indicator_counts as PostgreSQL's row text
	followups: Record<string, number>; // day → signed chronic patients last followed up that day
}

async function snapshot(tx: Db, unit: string): Promise<UnitState | null> {
	const [row] = await tx`select counts::text as counts, followups from unit_state(${unit})`;
	return row ? { counts: row.counts, followups: row.followups } : null;
}

/**
 * Runs `change` inside the caller's transaction and moves the indicator counters by exactly
 * what it changed in `units` (the regions whose records it touches: a village for its clinic
 * or patients, a township for its centre, a county for its hospital or county-level problems).
 * The counts are those of the full recomputation for one unit (`unit_state`, compared with
 * `unit_counts` in the tests), so the two agree.
 */
export async function changeUnits<T>(tx: Db, units: string[], change: () => Promise<T>): Promise<T> {
	const distinct = [...new Set(units)].sort();
	// one change per unit at a time: under READ COMMITTED a concurrent change committed between
	// our two snapshots would otherwise be counted twice. `no key update` leaves foreign-key
	// checks (key share) on the region free; sorted codes keep two units' lockers from deadlock.
	// the lock goes out first and the snapshots right behind it, without waiting for its answer:
	// they run once it is granted (queries are lazy: `execute` sends the lock now)
	const locked = tx`select 1 from region where code in ${tx(distinct)} order by code for no key update`.execute();
	const [, ...before] = await Promise.all([locked, ...distinct.map((unit) => snapshot(tx, unit))]);
	const missing = distinct.find((_, i) => !before[i]);
	if (missing) throw new Error(`unit ${missing} does not exist`);
	const result = await change();
	// the after-state and the moves of the counters are worked out in the database: one round trip
	await Promise.all(
		distinct.map((unit, i) => tx`select unit_commit(${unit}, ${before[i]!.counts}::indicator_counts, ${tx.json(before[i]!.followups)})`)
	);
	return result;
}

/** Counters that differ from a recomputation from the records (empty when all agree). */
export async function counterDrift(db: Db): Promise<{ code: string; kept: string | null; computed: string | null }[]> {
	return (await db`
		with kept as (select code, counts::text as counts from indicator_counter),
			computed as (select code, counts::text as counts from counters_from_records()),
			kept_fu as (select code, day, n from followup_counter where n <> 0),
			computed_fu as (select counter_code as code, day, sum(n)::int as n from unit_followups() group by 1, 2)
		select coalesce(k.code, c.code) as code, k.counts as kept, c.counts as computed
		from kept k full join computed c on c.code = k.code
		where k.counts is distinct from c.counts
		union all
		select coalesce(k.code, c.code), k.day || ':' || k.n, c.day || ':' || c.n
		from kept_fu k full join computed_fu c on c.code = k.code and c.day = k.day
		where k.n is distinct from c.n
		union all
		-- a counter's recent follow-ups, where it says they are today's
		select code, 'followed:' || followed, 'followed:' || counter_followed(code)
		from indicator_counter
		where followed_on = current_date and followed is distinct from counter_followed(code)
	`) as unknown as { code: string; kept: string | null; computed: string | null }[];
}
