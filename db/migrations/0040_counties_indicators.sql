-- The indicators of many counties, each with its city's and its province's, in one pass over the
-- counter rows: what the `indicators.changed` events of one commit batch carry (one per county
-- the batch moved). The same values as `path_indicators` for each county, which read the
-- province's counter rows again for every county; this runs under the event lock.
create function counties_indicators(p_counties text[]) returns table (county text, regions jsonb)
language sql stable as $$
	with wanted as (
		select code as county, city_code as city, province_code as province from region where code = any (p_counties)
	),
	ic as materialized (
		select province_code, city_code, county_code, counts, followed_today(ic) as followed
		from indicator_counter ic where province_code in (select province from wanted)
	),
	levels (ord, level, code) as (
		select 1, 'county', county from wanted
		union select 2, 'city', city from wanted where city is not null
		union select 3, 'province', province from wanted
	),
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
		left join ic c on case l.level when 'county' then c.county_code = l.code when 'city' then c.city_code = l.code else c.province_code = l.code end
		group by l.ord, l.level, l.code
	),
	valued as (
		select ord, level, code, jsonb_build_object('code', code, 'level', level, 'indicators', indicator_values(counts, followed)) as region from summed
	)
	select w.county, jsonb_agg(v.region order by v.ord)
	from wanted w
	join valued v on v.code = case v.level when 'county' then w.county when 'city' then w.city else w.province end
	group by w.county
$$;
