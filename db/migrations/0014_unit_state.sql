-- One unit's counts and follow-up days, read before and after every counted change.
-- `unit_counts(null, unit)` gives the same counts, but as a SQL function PostgreSQL plans its
-- body again on every call (~1.2 ms of a ~9 ms event, twice). This PL/pgSQL version keeps its
-- plans between calls: its queries name one unit only, so the cached generic plan is the
-- indexed one. It spells out the same counts as `unit_counts` for one unit; the tests compare
-- the two for every unit of the demo province.
create function unit_state(p_unit text)
returns table (counter_code text, counts indicator_counts, followups jsonb)
language plpgsql stable as $$
declare
	u record;
	f record;
	p record;
	q record;
begin
	select r.code, r.level, coalesce(r.county_code, r.code) as counter, r.population, r.exempt
	into u from region r where r.code = p_unit;
	if not found then
		return;
	end if;
	select
		count(*) filter (where kind = 'village_clinic') as clinics,
		count(*) filter (where kind = 'village_clinic' and (doctors > 0 or licensed_doctors > 0)) as clinics_staffed,
		coalesce(bool_or(kind = 'village_clinic' and standard_met), false) as standard_clinic,
		coalesce(bool_or(kind = 'village_clinic' and standard_met and (doctors > 0 or licensed_doctors > 0)), false) as qualified_clinic,
		count(*) filter (where kind = 'township_center') as centres,
		coalesce(bool_or(kind = 'township_center' and licensed_doctors > 0), false) as centre_with_physician,
		coalesce(bool_or(kind = 'county_hospital' and standard_met), false) as standard_hospital,
		count(*) filter (where kind = 'township_center'
			and licensed_doctors >= case when u.population > 10000 then 5 else 1 end) as centres_ok
	into f from facility where region_code = p_unit;
	select
		count(*) as patients,
		count(*) filter (where insured) as insured,
		count(*) filter (where category = 'serious_illness' and identified_on is not null) as serious,
		count(*) filter (where category = 'serious_illness' and identified_on is not null and treated_on is not null) as serious_treated,
		count(*) filter (where category = 'chronic') as chronic,
		count(*) filter (where category = 'chronic' and signed_on is not null) as chronic_signed
	into p from patient where village_code = p_unit;
	select
		count(*) as problems,
		count(*) filter (where status = 'closed') as closed,
		count(*) filter (where status <> 'closed' and is_overdue) as overdue
	into q from problem where region_code = p_unit;
	counter_code := u.counter;
	counts := row(
		(u.level = 'village')::int,
		(u.level = 'village' and (u.exempt is not null or f.standard_clinic))::int,
		(u.level = 'village' and u.exempt is null and not f.qualified_clinic)::int,
		f.clinics,
		f.clinics_staffed,
		f.centres,
		f.centres_ok,
		(u.level = 'township' and not f.centre_with_physician)::int,
		(u.level = 'county')::int,
		(u.level = 'county' and f.standard_hospital)::int,
		p.patients,
		p.insured,
		p.serious,
		p.serious_treated,
		p.chronic,
		p.chronic_signed,
		q.problems,
		q.closed,
		q.overdue
	)::indicator_counts;
	select coalesce(jsonb_object_agg(d.day, d.n), '{}'::jsonb) into followups
	from (
		select followed_up_on::text as day, count(*)::int as n
		from patient
		where village_code = p_unit and category = 'chronic' and signed_on is not null and followed_up_on is not null
		group by followed_up_on
	) d;
	return next;
end $$;
