import { weighted } from './diseases';
import { CATEGORIES, DESCRIPTIONS, NO_CLINIC, SOURCES } from './problem-texts';
import { SURNAMES } from './names';
import type { SeedContext } from './types';
import { DEFAULT_LIMITS } from '../problems/escalation';

const VILLAGE_CATEGORIES = ['clinic', 'insurance', 'treatment', 'chronic', 'followup'];

export async function seedProblems(ctx: SeedContext): Promise<void> {
	await draftProblems(ctx);
	await groupProblemSites(ctx);
	await placeProblems(ctx);
	await insertProblems(ctx);
}

/**
 * A handful of problems per county: category, source, when found, deadline 15–120 days later,
 * and how far rectification got. Most past deadlines are closed; the rest are overdue.
 */
async function draftProblems({ tx, scale, salt, options }: SeedContext): Promise<void> {
	const categories = weighted(CATEGORIES);
	const sources = weighted(SOURCES);
	const [min, max] = scale.problemsPerCounty;
	// a county drawn at its real density keeps a ledger to match
	const dense = JSON.stringify(scale.dense?.counties ?? {});
	await tx`
		create temp table seed_problem on commit drop as
		select p.*, md5(${salt('problem-3')} || ':' || county_code || ':' || i) as h3, case when status = 'closed'
				then least(found_on + 1 + floor(pg_temp.seed_slice(h2, 2) * (deadline - found_on + 10))::int, ${options.asOf}::date)
			end as closed_on
		from (
			select p.*, case when pg_temp.seed_slice(h2, 1) < case when deadline < ${options.asOf}::date then 0.8 else 0.35 end then 'closed'
					when pg_temp.seed_slice(h2, 1) < case when deadline < ${options.asOf}::date then 0.9 else 0.75 end then 'rectifying'
					else 'open' end as status
			from (
				select c.code as county_code, i, h, h2,
					(${categories}::text[])[1 + floor(pg_temp.seed_slice(h, 0) * ${categories.length})::int] as category,
					(${sources}::text[])[1 + floor(pg_temp.seed_slice(h, 1) * ${sources.length})::int] as source,
					found_on, found_on + 15 + floor(pg_temp.seed_slice(h2, 0) * 106)::int as deadline
				from region c,
					generate_series(1, pg_temp.seed_int(${salt('problems')}, c.code,
						coalesce((${dense}::text::jsonb -> c.code -> 'problems' ->> 0)::int, ${min}),
						coalesce((${dense}::text::jsonb -> c.code -> 'problems' ->> 1)::int, ${max}))) i,
					lateral (select md5(${salt('problem')} || ':' || c.code || ':' || i) as h,
						md5(${salt('problem-2')} || ':' || c.code || ':' || i) as h2) r,
					lateral (select ${options.asOf}::date - (3 + floor(pg_temp.seed_slice(h, 2) * 240)::int) as found_on) f
				where c.level = 'county'
			) p
		) p`;
}

/**
 * Where each problem was found: the county, one of its townships or one of its villages. A
 * clinic or doctor problem still open sits where the records show a gap, a closed one where
 * the gap is gone, so that the ledger and the map agree.
 */
async function placeProblems({ tx }: SeedContext): Promise<void> {
	await tx`
		create temp table seed_problem_place on commit drop as
		select p.county_code, p.i, l.level, coalesce(x.code, p.county_code) as code, x.place
		from seed_problem p
			cross join lateral (select case when p.category = any(${VILLAGE_CATEGORIES}::text[])
					or (p.category = 'doctor' and pg_temp.seed_slice(p.h, 3) >= 0.4) then 'village'
				when p.category = 'doctor' then 'township' else 'county' end as level,
				p.category in ('clinic', 'doctor') and p.status <> 'closed' as at_gap) l
			left join lateral (select s.codes, s.names from seed_problem_site s
				where s.county_code = p.county_code and s.level = l.level
				order by s.gap = l.at_gap desc limit 1) s on true
			cross join lateral (select 1 + floor(pg_temp.seed_slice(p.h2, 3) * cardinality(s.codes))::int as pick) k
			cross join lateral (select s.codes[k.pick] as code, s.names[k.pick] as place) x`;
}

/** The townships and villages of each county, those with a gap apart from the others. */
async function groupProblemSites({ tx }: SeedContext): Promise<void> {
	await tx`
		create temp table seed_problem_site on commit drop as
		select county_code, level, gap, array_agg(code order by code) as codes, array_agg(name order by code) as names
		from (
			select r.county_code, r.level, r.code, coalesce(t.name, '') || r.name as name,
				case when r.level = 'village' then r.exempt is null and not exists (
						select 1 from facility f where f.region_code = r.code and f.kind = 'village_clinic'
							and f.standard_met and (f.doctors > 0 or f.licensed_doctors > 0))
					else not exists (
						select 1 from facility f where f.region_code = r.code and f.kind = 'township_center'
							and f.licensed_doctors >= case when r.population > 10000 then 5 else 1 end) end as gap
			from region r left join region t on t.code = r.parent_code and r.level = 'village'
			where r.level in ('township', 'village')
		) r
		group by county_code, level, gap`;
}

/** The ledger rows: numbered per county in the order found, with unit, leader and wording. */
async function insertProblems({ tx, options }: SeedContext): Promise<void> {
	await tx`
		insert into problem (code, region_code, county_code, facility_id, category, source, description, found_on,
			deadline, responsible_unit, responsible_leader, status, supervised, is_overdue, closed_at, created_at, updated_at,
			found_by, escalation, escalated_at)
		select 'WT-' || p.county_code || '-' || lpad(row_number() over (partition by p.county_code order by p.found_on, p.i)::text, 4, '0'),
			x.code, p.county_code, f.id, p.category, p.source,
			replace(case when p.category = 'clinic' and f.id is null then ${NO_CLINIC}
					else d.templates ->> floor(pg_temp.seed_slice(p.h3, 0) * jsonb_array_length(d.templates))::int end,
				'{place}', coalesce(x.place, c.name)),
			p.found_on, p.deadline,
			case when p.category = 'hospital' then c.name || '人民医院' when x.level = 'township' then x.place || '卫生院'
				else c.name || '卫生健康局' end,
			(${SURNAMES}::text[])[1 + floor(pg_temp.seed_slice(p.h3, 2) * ${SURNAMES.length})::int] ||
				case when p.category = 'hospital' or x.level = 'township' then (array['院长', '副院长'])[1 + floor(pg_temp.seed_slice(p.h3, 3) * 2)::int]
					else (array['副' || t.county_word || '长', '局长', '副局长'])[1 + floor(pg_temp.seed_slice(p.h3, 3) * 3)::int] end,
			-- a third of the items under rectification wait for the check (待核查)
			case when p.status = 'rectifying' and pg_temp.seed_slice(md5(p.h3), 1) < 0.3 then 'submitted' else p.status end,
			pg_temp.seed_slice(p.h3, 1) < 0.02, p.status <> 'closed' and p.deadline < ${options.asOf}::date,
			closed.at, created.at, coalesce(closed.at, created.at),
			-- a county's self-check is its own; a quarter of the rest the city found
			case when p.source = 'self_check' then 'county' when pg_temp.seed_slice(md5(p.h3), 0) < 0.25 then 'city' else 'province' end,
			esc.level, case when esc.level is not null then (p.deadline + esc.after + make_interval(hours => 1)) at time zone interval '+08:00' end
		from seed_problem p
			cross join lateral (select case when p.status = 'closed' or p.deadline >= ${options.asOf}::date then null
					when p.deadline < ${options.asOf}::date - ${DEFAULT_LIMITS.province}::int then 'province'
					when p.deadline < ${options.asOf}::date - ${DEFAULT_LIMITS.city}::int then 'city' end as level,
				case when p.deadline < ${options.asOf}::date - ${DEFAULT_LIMITS.province}::int then ${DEFAULT_LIMITS.province + 1}::int
					else ${DEFAULT_LIMITS.city + 1}::int end as after) esc
			join seed_problem_place x on x.county_code = p.county_code and x.i = p.i
			join region c on c.code = p.county_code
			left join facility f on f.id = case when p.category = 'hospital' then p.county_code || '-hospital'
				when p.category in ('clinic', 'doctor') and x.level = 'village' then x.code || '-clinic'
				when p.category = 'doctor' and x.level = 'township' then x.code || '-center' end,
			lateral (select ${JSON.stringify(DESCRIPTIONS)}::text::jsonb -> p.category -> x.level as templates) d,
			lateral (select case right(c.name, 1) when '区' then '区' when '市' then '市' else '县' end as county_word) t,
			lateral (select (p.found_on + make_interval(hours => 9)) at time zone interval '+08:00' as at) created,
			lateral (select (p.closed_on + make_interval(mins => 8 * 60 + floor(pg_temp.seed_slice(p.h3, 3) * 600)::int))
				at time zone interval '+08:00' as at) closed
		order by 1`;
}
