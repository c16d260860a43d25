-- Flight-inspection teams and where they are sent.
create table team (
	id text primary key,
	name text not null,
	status text not null default 'idle' check (status in ('idle', 'travelling', 'inspecting', 'off_duty')),
	point geometry(Point, 4326),
	home_region text not null references region (code),
	updated_at timestamptz not null default now()
);

create table assignment (
	id bigint generated always as identity primary key,
	team_id text not null references team (id),
	county_code text not null references region (code),
	unannounced boolean not null default true,
	reason text,
	status text not null default 'assigned' check (status in ('assigned', 'underway', 'done', 'cancelled')),
	assigned_by text,
	starts_on date not null,
	ends_on date,
	created_at timestamptz not null default now()
);

create index assignment_team on assignment (team_id, status);
create index assignment_county on assignment (county_code);

-- The append-only event log. `seq` is handed out by the writer that holds the event lock,
-- so it increases in commit order (see lib/server/events).
create table event (
	seq bigint primary key,
	type text not null,
	province_code text,
	city_code text,
	county_code text,
	township_code text,
	village_code text,
	at timestamptz not null default now(),
	actor text,
	payload jsonb not null default '{}',
	-- sealed events (team movements, unannounced assignments) reach only those allowed to see them
	sealed boolean not null default false,
	idempotency_key text unique
);

create index event_county_seq on event (county_code, seq);
create index event_city_seq on event (city_code, seq);
create index event_province_seq on event (province_code, seq);

create or replace function event_append_only() returns trigger language plpgsql as $$
begin
	raise exception 'the event log is append-only';
end $$;

create trigger event_no_update before update or delete on event
	for each row execute function event_append_only();
