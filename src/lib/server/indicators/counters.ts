import type { Db } from '../db';

interface UnitState {
	counts: string; // indicator_counts as PostgreSQL's row text
	followups: Record<string, number>; // day → signed chronic patients last followed up that day
}

async function snapshot(tx: Db, unit: string): Promise<UnitState | null> {
	const [row] = await tx`select counts::text as counts, followups from unit_state(${unit})`;
	return row ? { counts: row.counts, followups: row.followups } : null;
}

/** Units locked for a change, with their state from before it (`holdUnits`). */
export interface HeldUnits {
	units: string[];
	before: Promise<UnitState[]>;
}

/**
 * Locks `units` (the regions whose records a change touches: a village for its clinic or
 * patients, a township for its centre, a county for its hospital or county-level problems) and
 * reads their state, in the caller's transaction. Both statements go out now, in one write with
 * whatever the caller sends before its next await; `before` settles once they have run.
 */
export function holdUnits(tx: Db, units: string[]): HeldUnits {
	const distinct = [...new Set(units)].sort();
	// one change per unit at a time: under READ COMMITTED a concurrent change committed between
	// our two snapshots would otherwise be counted twice. `no key update` leaves foreign-key
	// checks (key share) on the region free; sorted codes keep two units' lockers from deadlock.
	// the snapshots go right behind the lock and run once it is granted
	const locked = tx`select 1 from region where code in ${tx(distinct)} order by code for no key update`.execute();
	const before = Promise.all([locked, ...distinct.map((unit) => snapshot(tx, unit))]).then(([, ...states]) => {
		const missing = distinct.find((_, i) => !states[i]);
		if (missing) throw new Error(`unit ${missing} does not exist`);
		return states as UnitState[];
	});
	// a caller that gives up before awaiting it (a refused request) leaves no unhandled rejection
	before.catch(() => {});
	return { units: distinct, before };
}

export interface ChangeOptions {
	/**
	 * `change` sends exactly one statement, before its first await: the counters' move then goes
	 * out right behind it, in the same write, instead of one round trip later
	 */
	oneStatement?: boolean;
}

/**
 * Runs `change` on units held by `holdUnits` and moves the indicator counters by exactly what it
 * changed in them. The counts are those of the full recomputation for one unit (`unit_state`,
 * compared with `unit_counts` in the tests), so the two agree.
 */
export async function changeHeldUnits<T>(tx: Db, held: HeldUnits, change: () => Promise<T>, { oneStatement = false }: ChangeOptions = {}): Promise<T> {
	const before = await held.before;
	// the after-state and the moves of the counters are worked out in the database
	const commit = () =>
		Promise.all(held.units.map((unit, i) => tx`select unit_commit(${unit}, ${before[i].counts}::indicator_counts, ${tx.json(before[i].followups)})`));
	if (!oneStatement) {
		const result = await change();
		await commit();
		return result;
	}
	const [result] = await Promise.all([change(), commit()]);
	return result;
}

/** Runs `change` inside the caller's transaction and moves the counters of `units` by what it changed. */
export function changeUnits<T>(tx: Db, units: string[], change: () => Promise<T>, options?: ChangeOptions): Promise<T> {
	return changeHeldUnits(tx, holdUnits(tx, units), change, options);
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
