-- Indicators (SPEC §3). Every record contributes counts to one "unit" (the region it hangs
-- on); a unit's counts roll up into the counter of its county (or of the city or province
-- for items at those levels). Counters are moved in the same transaction as each change;
-- recomputing them from the records must give the same numbers.

create type indicator_counts as (
	villages integer,
	villages_covered integer,  -- standard clinic, or exempt
	villages_gap integer,      -- no standard clinic with a qualified doctor, and not exempt
	clinics integer,
	clinics_staffed integer,   -- ≥1 qualified village doctor or licensed (assistant) physician
	centres integer,
	centres_ok integer,        -- ≥1 licensed physician, ≥5 where the township has > 10,000 people
	centres_gap integer,       -- townships without a licensed physician at their centre (or without a centre)
	counties integer,
	counties_ok integer,       -- ≥1 county hospital at the standard
	patients integer,
	insured integer,
	serious integer,           -- serious-illness patients identified
	serious_treated integer,
	chronic integer,
	chronic_signed integer,
	problems integer,
	problems_closed integer,
	problems_overdue integer
);

-- Counts of each unit, straight from the records. p_counter limits to the units of one
-- counter (a county), p_unit to one unit.
create function unit_counts(p_counter text default null, p_unit text default null)
returns table (unit_code text, counter_code text, counts indicator_counts)
language sql stable as $$
	-- materialized: each aggregate runs once and is hashed, never again per unit, whatever the
	-- planner estimates (PGlite runs no autovacuum, so statistics may be missing)
	with unit as (
		select r.code, r.level, coalesce(r.county_code, r.code) as counter_code, r.population, r.exempt
		from region r
		where (p_unit is null or r.code = p_unit)
			-- spelt out rather than coalesce(), so the indexes on county_code and code serve
			and (p_counter is null or r.county_code = p_counter or (r.county_code is null and r.code = p_counter))
	),
	f as materialized (
		select region_code,
			count(*) filter (where kind = 'village_clinic') as clinics,
			count(*) filter (where kind = 'village_clinic' and (doctors > 0 or licensed_doctors > 0)) as clinics_staffed,
			bool_or(kind = 'village_clinic' and standard_met) as standard_clinic,
			bool_or(kind = 'village_clinic' and standard_met and (doctors > 0 or licensed_doctors > 0)) as qualified_clinic,
			count(*) filter (where kind = 'township_center') as centres,
			bool_or(kind = 'township_center' and licensed_doctors > 0) as centre_with_physician,
			bool_or(kind = 'county_hospital' and standard_met) as standard_hospital,
			array_agg(licensed_doctors) filter (where kind = 'township_center') as centre_staff
		from facility
		where (p_counter is null or county_code = p_counter) and (p_unit is null or region_code = p_unit)
		group by region_code
	),
	p as materialized (
		select village_code,
			count(*) as patients,
			count(*) filter (where insured) as insured,
			count(*) filter (where category = 'serious_illness' and identified_on is not null) as serious,
			count(*) filter (where category = 'serious_illness' and identified_on is not null and treated_on is not null) as serious_treated,
			count(*) filter (where category = 'chronic') as chronic,
			count(*) filter (where category = 'chronic' and signed_on is not null) as chronic_signed
		from patient
		where (p_counter is null or county_code = p_counter) and (p_unit is null or village_code = p_unit)
		group by village_code
	),
	q as materialized (
		select region_code,
			count(*) as problems,
			count(*) filter (where status = 'closed') as closed,
			count(*) filter (where status <> 'closed' and is_overdue) as overdue
		from problem
		where (p_counter is null or county_code = p_counter or (county_code is null and region_code = p_counter))
			and (p_unit is null or region_code = p_unit)
		group by region_code
	)
	select unit.code, unit.counter_code, row(
		(unit.level = 'village')::int,
		(unit.level = 'village' and (unit.exempt is not null or coalesce(f.standard_clinic, false)))::int,
		(unit.level = 'village' and unit.exempt is null and not coalesce(f.qualified_clinic, false))::int,
		coalesce(f.clinics, 0),
		coalesce(f.clinics_staffed, 0),
		coalesce(f.centres, 0),
		coalesce((select count(*) from unnest(f.centre_staff) as staff(n)
			where n >= case when unit.population > 10000 then 5 else 1 end), 0),
		-- a township whose centre has no licensed physician, or that has no centre at all
		(unit.level = 'township' and not coalesce(f.centre_with_physician, false))::int,
		(unit.level = 'county')::int,
		(unit.level = 'county' and coalesce(f.standard_hospital, false))::int,
		coalesce(p.patients, 0),
		coalesce(p.insured, 0),
		coalesce(p.serious, 0),
		coalesce(p.serious_treated, 0),
		coalesce(p.chronic, 0),
		coalesce(p.chronic_signed, 0),
		coalesce(q.problems, 0),
		coalesce(q.closed, 0),
		coalesce(q.overdue, 0)
	)::indicator_counts
	from unit
	left join f on f.region_code = unit.code
	left join p on p.village_code = unit.code
	left join q on q.region_code = unit.code
$$;

-- Signed chronic patients of each unit by the day of their latest follow-up; the 90-day
-- window is applied when read, so the rate stays right as days pass without events.
create function unit_followups(p_counter text default null, p_unit text default null)
returns table (unit_code text, counter_code text, day date, n integer)
language sql stable as $$
	select village_code, county_code, followed_up_on, count(*)::int
	from patient
	where category = 'chronic' and signed_on is not null and followed_up_on is not null
		and (p_counter is null or county_code = p_counter) and (p_unit is null or village_code = p_unit)
	group by village_code, county_code, followed_up_on
$$;

create table indicator_counter (
	code text primary key references region (code),
	province_code text not null,
	city_code text,
	county_code text,
	counts indicator_counts not null,
	updated_at timestamptz not null default now()
);

create index indicator_counter_city on indicator_counter (city_code);
create index indicator_counter_province on indicator_counter (province_code);

create table followup_counter (
	code text not null references region (code),
	day date not null,
	n integer not null,
	primary key (code, day)
);

create table indicator_weight (
	key text primary key,
	weight numeric not null check (weight >= 0)
);

insert into indicator_weight (key, weight) values
	('clinic_coverage', 1), ('village_doctor_coverage', 1), ('township_doctor_ok', 1),
	('county_hospital_ok', 1), ('insurance_coverage', 1), ('treatment_rate', 1.5),
	('chronic_signed_rate', 1), ('followup_rate', 1), ('rectification_rate', 1.5),
	('overdue_problems', 1.5), ('gaps', 1.5);

create function ratio(num numeric, den numeric) returns numeric
language sql immutable as $$ select case when den > 0 then round(num / den, 4) end $$;

-- The indicators of SPEC §3 from summed counts. Rates are fractions (0..1), null where the
-- region has nothing to count; `composite` is 0..100 over the indicators that have a value.
create function indicator_values(c indicator_counts, followed integer)
returns jsonb language sql stable as $$
	with v as (
		select
			ratio(c.villages_covered, c.villages) as clinic_coverage,
			ratio(c.clinics_staffed, c.clinics) as village_doctor_coverage,
			ratio(c.centres_ok, c.centres) as township_doctor_ok,
			ratio(c.counties_ok, c.counties) as county_hospital_ok,
			ratio(c.insured, c.patients) as insurance_coverage,
			ratio(c.serious_treated, c.serious) as treatment_rate,
			ratio(c.chronic_signed, c.chronic) as chronic_signed_rate,
			ratio(followed, c.chronic_signed) as followup_rate,
			ratio(c.problems_closed, c.problems) as rectification_rate,
			c.problems_overdue as overdue_problems,
			c.villages_gap + c.centres_gap + (c.counties - c.counties_ok) as gaps
	),
	score as (
		select key, value from v, lateral (values
			('clinic_coverage', v.clinic_coverage),
			('village_doctor_coverage', v.village_doctor_coverage),
			('township_doctor_ok', v.township_doctor_ok),
			('county_hospital_ok', v.county_hospital_ok),
			('insurance_coverage', v.insurance_coverage),
			('treatment_rate', v.treatment_rate),
			('chronic_signed_rate', v.chronic_signed_rate),
			('followup_rate', v.followup_rate),
			('rectification_rate', v.rectification_rate),
			('overdue_problems', 1 - ratio(c.problems_overdue, c.problems)),
			('gaps', 1 - ratio(v.gaps, c.villages + c.centres + c.counties))
		) as s(key, value)
		where value is not null
	)
	select to_jsonb(v) || jsonb_build_object('composite',
		(select round(100 * sum(w.weight * score.value) / nullif(sum(w.weight), 0), 2)
		 from score join indicator_weight w using (key)))
	from v
$$;

-- Sums a set of counts (an aggregate over indicator_counts).
create function indicator_counts_add(a indicator_counts, b indicator_counts)
returns indicator_counts language sql immutable as $$
	select row(
		a.villages + b.villages, a.villages_covered + b.villages_covered, a.villages_gap + b.villages_gap,
		a.clinics + b.clinics, a.clinics_staffed + b.clinics_staffed,
		a.centres + b.centres, a.centres_ok + b.centres_ok, a.centres_gap + b.centres_gap,
		a.counties + b.counties, a.counties_ok + b.counties_ok,
		a.patients + b.patients, a.insured + b.insured, a.serious + b.serious,
		a.serious_treated + b.serious_treated, a.chronic + b.chronic, a.chronic_signed + b.chronic_signed,
		a.problems + b.problems, a.problems_closed + b.problems_closed, a.problems_overdue + b.problems_overdue
	)::indicator_counts
$$;

create function indicator_counts_sub(a indicator_counts, b indicator_counts)
returns indicator_counts language sql immutable as $$
	select row(
		a.villages - b.villages, a.villages_covered - b.villages_covered, a.villages_gap - b.villages_gap,
		a.clinics - b.clinics, a.clinics_staffed - b.clinics_staffed,
		a.centres - b.centres, a.centres_ok - b.centres_ok, a.centres_gap - b.centres_gap,
		a.counties - b.counties, a.counties_ok - b.counties_ok,
		a.patients - b.patients, a.insured - b.insured, a.serious - b.serious,
		a.serious_treated - b.serious_treated, a.chronic - b.chronic, a.chronic_signed - b.chronic_signed,
		a.problems - b.problems, a.problems_closed - b.problems_closed, a.problems_overdue - b.problems_overdue
	)::indicator_counts
$$;

create function indicator_counts_zero() returns indicator_counts
language sql immutable as $$ select '(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0)'::indicator_counts $$;

create aggregate indicator_counts_sum(indicator_counts) (
	sfunc = indicator_counts_add,
	stype = indicator_counts,
	initcond = '(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0)'
);

-- Full recomputation: the counters rebuilt from the records.
create function counters_from_records(p_counter text default null)
returns table (code text, counts indicator_counts)
language sql stable as $$
	select counter_code, indicator_counts_sum(counts) from unit_counts(p_counter) group by counter_code
$$;

create function recompute_counters() returns void language plpgsql as $$
begin
	delete from followup_counter;
	delete from indicator_counter;
	insert into indicator_counter (code, province_code, city_code, county_code, counts)
	select r.code, r.province_code, r.city_code, r.county_code, c.counts
	from counters_from_records() c join region r on r.code = c.code;
	insert into followup_counter (code, day, n)
	select counter_code, day, sum(n) from unit_followups() group by counter_code, day;
end $$;
