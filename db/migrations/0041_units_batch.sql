-- Counting a whole commit batch at once. `unit_hold`/`unit_release` (0017) note and move one
-- unit per call, and every write of a batch paid for both (~1.2 ms of the database's time, one
-- after another). Here the units' states are read set-based (`units_state`: the same counts as
-- `unit_state`, one query per table for all of them, compared in the tests), the batch's held
-- states live in one transaction-local setting (`hcc_held.batch`), a unit already held is not
-- held again, and `units_release` moves every held unit's counter by what changed since, summed
-- per counter and applied in code order, once per batch. A savepoint rolled back takes its
-- holds with it (the setting and the row locks), and so its records' changes: what is released
-- is always the held units' change since they were held.

create function units_state(p_units text[])
returns table (unit text, counter_code text, counts indicator_counts, followups jsonb)
language plpgsql stable as $$
begin
	return query
	with u as (
		select r.code, r.level, coalesce(r.county_code, r.code) as counter, r.population, r.exempt
		from region r where r.code = any (p_units)
	),
	f as (
		select u.code,
			count(*) filter (where kind = 'village_clinic') as clinics,
			count(*) filter (where kind = 'village_clinic' and (doctors > 0 or licensed_doctors > 0)) as clinics_staffed,
			coalesce(bool_or(kind = 'village_clinic' and standard_met), false) as standard_clinic,
			coalesce(bool_or(kind = 'village_clinic' and standard_met and (doctors > 0 or licensed_doctors > 0)), false) as qualified_clinic,
			count(*) filter (where kind = 'township_center') as centres,
			coalesce(bool_or(kind = 'township_center' and licensed_doctors > 0), false) as centre_with_physician,
			coalesce(bool_or(kind = 'county_hospital' and standard_met), false) as standard_hospital,
			count(*) filter (where kind = 'township_center'
				and licensed_doctors >= case when u.population > 10000 then 5 else 1 end) as centres_ok
		from u join facility on facility.region_code = u.code
		group by u.code
	),
	p as (
		select village_code as code,
			count(*) as patients,
			count(*) filter (where insured) as insured,
			count(*) filter (where category = 'serious_illness' and identified_on is not null) as serious,
			count(*) filter (where category = 'serious_illness' and identified_on is not null and treated_on is not null) as serious_treated,
			count(*) filter (where category = 'chronic') as chronic,
			count(*) filter (where category = 'chronic' and signed_on is not null) as chronic_signed
		from patient where village_code = any (p_units)
		group by village_code
	),
	q as (
		select region_code as code,
			count(*) as problems,
			count(*) filter (where status = 'closed') as closed,
			count(*) filter (where status <> 'closed' and is_overdue) as overdue
		from problem where region_code = any (p_units)
		group by region_code
	),
	fu as (
		select d.code, jsonb_object_agg(d.day, d.n) as followups
		from (
			select village_code as code, followed_up_on::text as day, count(*)::int as n
			from patient
			where village_code = any (p_units) and category = 'chronic' and signed_on is not null and followed_up_on is not null
			group by village_code, followed_up_on
		) d
		group by d.code
	)
	select u.code, u.counter, row(
		(u.level = 'village')::int,
		(u.level = 'village' and (u.exempt is not null or coalesce(f.standard_clinic, false)))::int,
		(u.level = 'village' and u.exempt is null and not coalesce(f.qualified_clinic, false))::int,
		coalesce(f.clinics, 0)::int,
		coalesce(f.clinics_staffed, 0)::int,
		coalesce(f.centres, 0)::int,
		coalesce(f.centres_ok, 0)::int,
		(u.level = 'township' and not coalesce(f.centre_with_physician, false))::int,
		(u.level = 'county')::int,
		(u.level = 'county' and coalesce(f.standard_hospital, false))::int,
		coalesce(p.patients, 0)::int,
		coalesce(p.insured, 0)::int,
		coalesce(p.serious, 0)::int,
		coalesce(p.serious_treated, 0)::int,
		coalesce(p.chronic, 0)::int,
		coalesce(p.chronic_signed, 0)::int,
		coalesce(q.problems, 0)::int,
		coalesce(q.closed, 0)::int,
		coalesce(q.overdue, 0)::int
	)::indicator_counts, coalesce(fu.followups, '{}'::jsonb)
	from u
	left join f on f.code = u.code
	left join p on p.code = u.code
	left join q on q.code = u.code
	left join fu on fu.code = u.code;
end $$;

-- Locks the units not held yet in this transaction (code order, as `unit_hold`) and notes their
-- state. Raises when a unit does not exist.
create function units_hold(p_units text[]) returns void
language plpgsql as $$
declare
	held jsonb := coalesce(nullif(current_setting('hcc_held.batch', true), '')::jsonb, '{}'::jsonb);
	fresh text[];
	noted jsonb;
begin
	select coalesce(array_agg(distinct u order by u), '{}') into fresh from unnest(p_units) u where not held ? u;
	if cardinality(fresh) = 0 then
		return;
	end if;
	perform 1 from region where code = any (fresh) order by code for no key update;
	select jsonb_object_agg(s.unit, jsonb_build_array(s.counts::text, s.followups)) into noted from units_state(fresh) s;
	if noted is null or (select count(*) from jsonb_object_keys(noted)) <> cardinality(fresh) then
		raise exception 'unit of % does not exist', fresh;
	end if;
	perform set_config('hcc_held.batch', (held || noted)::text, true);
end $$;

-- What one held unit changed: its state now and when it was held.
create type unit_move as (counter_code text, counts indicator_counts, before indicator_counts, followups jsonb, before_followups jsonb);

-- Moves the counters of every unit held since the last release by what changed in it, and
-- forgets the holds (the row locks stay until the transaction ends).
create function units_release() returns void
language plpgsql as $$
declare
	held jsonb := nullif(current_setting('hcc_held.batch', true), '')::jsonb;
	moves unit_move[];
	moved text[];
begin
	if held is null or held = '{}'::jsonb then
		return;
	end if;
	perform set_config('hcc_held.batch', '', true);
	select array_agg(row(s.counter_code, s.counts, (held -> s.unit ->> 0)::indicator_counts, s.followups, held -> s.unit -> 1)::unit_move)
	into moves
	from units_state(array(select jsonb_object_keys(held))) s;
	select array_agg(row(m.counter_code, m.counts, m.before, m.followups, m.before_followups)::unit_move) into moves
	from unnest(moves) m where m.counts is distinct from m.before or m.followups is distinct from m.before_followups;
	-- nothing changed in any held unit
	if moves is null then
		return;
	end if;
	-- the counter rows in code order, then each moved by the sum of its units' changes
	perform 1 from indicator_counter where code in (select m.counter_code from unnest(moves) m) order by code for update;
	update indicator_counter c set counts = indicator_counts_add(c.counts, d.delta), updated_at = now()
	from (
		select m.counter_code, indicator_counts_sum(indicator_counts_sub(m.counts, m.before)) as delta
		from unnest(moves) m where m.counts is distinct from m.before group by m.counter_code
	) d
	where c.code = d.counter_code;
	with days as (
		select m.counter_code, k.day::date as day,
			sum(coalesce((m.followups ->> k.day)::int, 0) - coalesce((m.before_followups ->> k.day)::int, 0))::int as delta
		from unnest(moves) m,
			lateral (select jsonb_object_keys(m.followups) as day union select jsonb_object_keys(m.before_followups)) k
		where m.followups is distinct from m.before_followups
		group by m.counter_code, k.day
	),
	upserted as (
		insert into followup_counter (code, day, n)
		select counter_code, day, delta from days where delta <> 0 order by counter_code, day
		on conflict (code, day) do update set n = followup_counter.n + excluded.n
		returning code
	)
	select array_agg(distinct code) into moved from upserted;
	if moved is not null then
		update indicator_counter set followed = counter_followed(code), followed_on = current_date where code = any (moved);
	end if;
end $$;

-- one unit at a time, replaced by the above
drop function unit_release(text[]);
drop function unit_hold(text[]);
drop function unit_commit(text, indicator_counts, jsonb);
