import type { Db } from '../db';

interface UnitState {
	counter: string;
	counts: string; // indicator_counts as PostgreSQL's row text
	followups: Map<string, number>; // day → signed chronic patients last followed up that day
}

async function snapshot(tx: Db, unit: string): Promise<UnitState | null> {
	const [row] = await tx`select counter_code, counts::text as counts, followups from unit_state(${unit})`;
	if (!row) return null;
	return { counter: row.counter_code, counts: row.counts, followups: new Map(Object.entries(row.followups as Record<string, number>)) };
}

async function applyDelta(tx: Db, before: UnitState, after: UnitState): Promise<void> {
	if (before.counts !== after.counts) {
		await tx`
			update indicator_counter
			set counts = indicator_counts_add(counts,
					indicator_counts_sub(${after.counts}::indicator_counts, ${before.counts}::indicator_counts)),
				updated_at = now()
			where code = ${after.counter}
		`;
	}
	const days = new Set([...before.followups.keys(), ...after.followups.keys()]);
	const changed = [...days]
		.map((day) => ({ day, delta: (after.followups.get(day) ?? 0) - (before.followups.get(day) ?? 0) }))
		.filter(({ delta }) => delta !== 0);
	if (!changed.length) return;
	// the day rows, then the counter's recent total recounted from them (sent together, run in order)
	await Promise.all([
		tx`
			insert into followup_counter (code, day, n)
			select ${after.counter}, day::date, delta
			from unnest(${changed.map((c) => c.day)}::text[], ${changed.map((c) => c.delta)}::int[]) as d(day, delta)
			on conflict (code, day) do update set n = followup_counter.n + excluded.n
		`,
		tx`update indicator_counter set followed = counter_followed(code), followed_on = current_date where code = ${after.counter}`
	]);
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
	const result = await change();
	for (const [i, unit] of distinct.entries()) {
		const after = await snapshot(tx, unit);
		const previous = before[i];
		if (!after || !previous) throw new Error(`unit ${unit} does not exist`);
		await applyDelta(tx, previous, after);
	}
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
