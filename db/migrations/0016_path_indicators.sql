-- The indicators of a county, its city and its province, read from the province's counter rows:
-- what an `indicators.changed` event carries. The event insert calls it under the event lock,
-- so each event's values include every change committed before it in seq order. Each field is
-- summed by PostgreSQL's own sum(): about half the time of the indicator_counts_sum aggregate,
-- which calls a PL/pgSQL function per row, and this runs while every other writer waits.
create function path_indicators(p_province text, p_city text, p_county text) returns jsonb
language plpgsql stable as $$
declare
	result jsonb;
begin
	with ic as materialized (
		select city_code, county_code, counts, followed_today(ic) as followed
		from indicator_counter ic where province_code = p_province
	),
	levels (ord, level, code) as (values (1, 'county', p_county), (2, 'city', p_city), (3, 'province', p_province)),
	summed as (
		select l.ord, l.level, l.code, row(
			coalesce(sum((c.counts).villages), 0), coalesce(sum((c.counts).villages_covered), 0), coalesce(sum((c.counts).villages_gap), 0),
			coalesce(sum((c.counts).clinics), 0), coalesce(sum((c.counts).clinics_staffed), 0),
			coalesce(sum((c.counts).centres), 0), coalesce(sum((c.counts).centres_ok), 0), coalesce(sum((c.counts).centres_gap), 0),
			coalesce(sum((c.counts).counties), 0), coalesce(sum((c.counts).counties_ok), 0),
			coalesce(sum((c.counts).patients), 0), coalesce(sum((c.counts).insured), 0), coalesce(sum((c.counts).serious), 0),
			coalesce(sum((c.counts).serious_treated), 0), coalesce(sum((c.counts).chronic), 0), coalesce(sum((c.counts).chronic_signed), 0),
			coalesce(sum((c.counts).problems), 0), coalesce(sum((c.counts).problems_closed), 0), coalesce(sum((c.counts).problems_overdue), 0)
		)::indicator_counts as counts, coalesce(sum(c.followed), 0)::int as followed
		from levels l
		left join ic c on case l.level when 'county' then c.county_code = l.code when 'city' then c.city_code = l.code else true end
		where l.code is not null
		group by l.ord, l.level, l.code
	)
	select coalesce(jsonb_agg(jsonb_build_object('code', s.code, 'level', s.level, 'indicators', indicator_values(s.counts, s.followed)) order by s.ord), '[]'::jsonb)
	into result from summed s;
	return result;
end $$;

-- Moves the counters of one unit by what changed since `before` (its `unit_state` before the
-- change): the after-state, the counter and the follow-up day rows in one call.
create function unit_commit(p_unit text, p_before indicator_counts, p_before_followups jsonb) returns void
language plpgsql as $$
declare
	s record;
	changed boolean := false;
	d record;
begin
	select * into s from unit_state(p_unit);
	if not found then
		raise exception 'unit % does not exist', p_unit;
	end if;
	if s.counts is distinct from p_before then
		update indicator_counter
		set counts = indicator_counts_add(counts, indicator_counts_sub(s.counts, p_before)), updated_at = now()
		where code = s.counter_code;
	end if;
	for d in
		select day::date as day, coalesce((s.followups ->> day)::int, 0) - coalesce((p_before_followups ->> day)::int, 0) as delta
		from (select jsonb_object_keys(s.followups) as day union select jsonb_object_keys(p_before_followups)) k
	loop
		continue when d.delta = 0;
		insert into followup_counter (code, day, n) values (s.counter_code, d.day, d.delta)
		on conflict (code, day) do update set n = followup_counter.n + excluded.n;
		changed := true;
	end loop;
	if changed then
		update indicator_counter set followed = counter_followed(code), followed_on = current_date where code = s.counter_code;
	end if;
end $$;
