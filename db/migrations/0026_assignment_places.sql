-- Where an assignment sends its team, what it found, and cross-inspection rounds (交叉互查).

-- the first day the team was on site: the county counts as inspected from then on, even when
-- the assignment is cancelled afterwards
alter table assignment add column visited_on date;
alter table assignment add column ended_at timestamptz;
alter table assignment add check (ends_on is null or ends_on >= starts_on);
create index assignment_county_status on assignment (county_code, status);

-- the villages, townships and facilities to visit, in the order given
create table assignment_place (
	assignment_id bigint not null references assignment (id),
	ord integer not null,
	region_code text references region (code),
	facility_id text references facility (id),
	primary key (assignment_id, ord),
	check ((region_code is null) <> (facility_id is null))
);

-- a problem a team found on site: who found it stays here, out of the county's ledger
create table finding (
	problem_id bigint primary key references problem (id),
	team_id text not null references team (id),
	assignment_id bigint references assignment (id),
	reported_by text not null,
	created_at timestamptz not null default now()
);
create index finding_team on finding (team_id, created_at desc);

-- a province's cities paired to inspect each other; each pair is an assignment whose inspector
-- is a city (no team) and whose target (`county_code`) is a city
create table cross_inspection (
	id bigint generated always as identity primary key,
	province_code text not null references region (code),
	drawn_by text not null,
	created_at timestamptz not null default now()
);
alter table assignment alter column team_id drop not null;
alter table assignment add column inspector_region text references region (code);
alter table assignment add column cross_inspection_id bigint references cross_inspection (id);
alter table assignment add check ((team_id is null) = (inspector_region is not null));
alter table assignment add check ((inspector_region is null) = (cross_inspection_id is null));
alter table assignment add check (inspector_region is null or inspector_region <> county_code);
create index assignment_cross on assignment (cross_inspection_id);
