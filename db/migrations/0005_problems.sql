-- The problem ledger (问题台账): each item has a deadline, a responsible unit and leader, and is
-- closed item by item (销号).
create table problem (
	id bigint generated always as identity primary key,
	code text not null unique,
	region_code text not null references region (code),
	county_code text references region (code),
	facility_id text references facility (id),
	category text not null check (category in (
		'clinic', 'doctor', 'hospital', 'insurance', 'treatment', 'chronic', 'followup', 'data', 'other')),
	source text not null check (source in (
		'screening', 'inspection', 'cross_inspection', 'self_check', 'audit', 'complaint', 'media')),
	description text not null,
	found_on date not null,
	deadline date not null,
	responsible_unit text not null,
	responsible_leader text not null,
	status text not null default 'open' check (status in ('open', 'rectifying', 'closed')),
	supervised boolean not null default false,
	-- set by the deadline watcher when the deadline passes with the item still open
	is_overdue boolean not null default false,
	closed_at timestamptz,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	check (deadline >= found_on),
	check ((status = 'closed') = (closed_at is not null))
);

create index problem_region on problem (region_code);
create index problem_county on problem (county_code, status);
create index problem_open_deadline on problem (deadline) where status <> 'closed' and not is_overdue;
