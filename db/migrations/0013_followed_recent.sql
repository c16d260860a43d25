-- Each counter also keeps its recent follow-ups (signed chronic patients last followed up in
-- the 90 days before `followed_on`), so that reading a province's follow-up rate takes its
-- ~150 counter rows instead of summing ~12,000 day rows on every event. A count is only used
-- on the day it was made for; on any other day the day rows are summed again (slower, never
-- wrong), until the day's first refresh brings every counter up to date.
alter table indicator_counter add column followed integer, add column followed_on date;

-- The recent follow-ups of one counter, from its day rows.
create function counter_followed(p_code text) returns integer
language sql stable as $$
	select coalesce(sum(n), 0)::int from followup_counter where code = p_code and day > current_date - 90
$$;

-- What a counter row says about its recent follow-ups today.
create function followed_today(c indicator_counter) returns integer
language sql stable as $$
	select case when c.followed_on = current_date then c.followed else counter_followed(c.code) end
$$;

create function refresh_followed() returns void language sql as $$
	update indicator_counter set followed = counter_followed(code), followed_on = current_date
	where followed_on is distinct from current_date
$$;

create or replace function recompute_counters() returns void language plpgsql as $$
begin
	delete from followup_counter;
	delete from indicator_counter;
	insert into indicator_counter (code, province_code, city_code, county_code, counts)
	select r.code, r.province_code, r.city_code, r.county_code, c.counts
	from counters_from_records() c join region r on r.code = c.code;
	insert into followup_counter (code, day, n)
	select counter_code, day, sum(n) from unit_followups() group by counter_code, day;
	perform refresh_followed();
end $$;

select refresh_followed();
