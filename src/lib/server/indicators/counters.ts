import type { Db } from '../db';

/**
 * The units a batch held up front (`holdRecords`), per transaction: a write's own hold of one of
 * them is not sent again. Only those: a hold made inside a savepoint may be rolled back with it.
 */
const upFront = new WeakMap<Db, Set<string>>();

/** Whether `unit` was held up front in `tx` (`holdRecords`), so that no hold of its own must precede its change. */
export const heldUpFront = (tx: Db, unit: string): boolean => upFront.get(tx)?.has(unit) ?? false;

/**
 * Holds `units` (the regions whose records a change touches: a village for its clinic or
 * patients, a township for its centre, a county for its hospital or county-level problems) in
 * the caller's transaction: locks the ones not held yet in code order and notes their state
 * (`units_hold`, in one transaction-local setting). Sent at once, in one write with the change's
 * first statement, it runs before it; nothing is sent when the batch held them all up front.
 * The counters move when the units are released.
 */
export function holdUnits(tx: Db, units: string[]): Promise<unknown> {
	const rest = units.filter((unit) => !heldUpFront(tx, unit));
	return rest.length ? tx`select units_hold(${rest}::text[])`.execute() : Promise.resolve();
}

/**
 * Moves the counters of every unit held since the last release by exactly what changed in it,
 * summed per counter and applied in code order, and forgets the holds. A commit batch sends it
 * once, after its writes' changes and before its `indicators.changed`. The counts are those of
 * the full recomputation (`units_state` and `unit_state`, compared with `unit_counts` in the
 * tests), so the two agree.
 */
export function releaseUnits(tx: Db) {
	upFront.delete(tx);
	return tx`select units_release()`;
}

/**
 * The records of `facilities` and `patients` locked in id order and their units held, in one
 * statement, sent at once: a batch holds what its writes are about before making their changes,
 * so that each of them finds its unit held already.
 */
export function holdRecords(tx: Db, facilities: string[], patients: string[]): Promise<void> {
	return tx`
		select units_hold(u.codes), u.codes from (select array(
			select region_code from (select region_code from facility where id = any(${facilities}::text[]) order by id for update) f
			union all
			select village_code from (select village_code from patient where id = any(${patients}::text[]) order by id for update) p) as codes) u`
		.execute()
		.then(([row]) => void upFront.set(tx, new Set(row.codes as string[])));
}

/** Runs `change` in the caller's transaction with `units` held, and moves the counters by what it changed. */
export async function changeUnits<T>(tx: Db, units: string[], change: () => Promise<T>): Promise<T> {
	const [, result] = await Promise.all([holdUnits(tx, units), change()]);
	await releaseUnits(tx);
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

/**
 * Holds every unit of `counties` (their region rows, in code order, as `unit_hold` does) for a
 * change too large to count unit by unit, such as an import: no field event in those counties
 * is half-way between its two snapshots while the change is made and the counters recounted.
 * Take the locks of the records to change first, as the field events' planners do.
 */
export async function holdCounties(tx: Db, counties: string[]): Promise<void> {
	if (!counties.length) return;
	await tx`select 1 from region where county_code = any(${counties}::text[]) or code = any(${counties}::text[]) order by code for no key update`;
}

/**
 * The counters of `counties` recomputed from the records in the caller's transaction, after a
 * change held with `holdCounties`: the same numbers as the full recomputation, for those
 * counties only. The counter rows are locked first, in code order.
 */
export async function recountCounties(tx: Db, counties: string[]): Promise<void> {
	if (!counties.length) return;
	await tx`select code from indicator_counter where code = any(${counties}::text[]) order by code for update`;
	// one pass over every record costs about as much as a dozen counties' own (~1.5 s and ~0.1 s at full scale)
	const all = counties.length > WHOLE_PASS;
	const fresh = all
		? tx`select code, counts from counters_from_records() where code = any(${counties}::text[])`
		: tx`select f.code, f.counts from unnest(${counties}::text[]) as c(code), lateral counters_from_records(c.code) f where f.code = c.code`;
	await tx`
		insert into indicator_counter (code, province_code, city_code, county_code, counts)
		select r.code, r.province_code, r.city_code, r.county_code, f.counts from (${fresh}) f join region r on r.code = f.code
		on conflict (code) do update set counts = excluded.counts, updated_at = now()`;
	await tx`delete from followup_counter where code = any(${counties}::text[])`;
	const days = all
		? tx`select counter_code, day, n from unit_followups() where counter_code = any(${counties}::text[])`
		: tx`select f.counter_code, f.day, f.n from unnest(${counties}::text[]) as c(code), lateral unit_followups(c.code) f`;
	await tx`insert into followup_counter (code, day, n) select counter_code, day, sum(n) from (${days}) f group by 1, 2`;
	await tx`update indicator_counter set followed = counter_followed(code), followed_on = current_date where code = any(${counties}::text[])`;
}

/** Past this many counties a recount reads every record once rather than each county's. */
const WHOLE_PASS = 12;
