create table app_user (
	id bigint generated always as identity primary key,
	username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
	password_hash text not null,
	role text not null check (role in ('leader', 'dispatcher', 'county_officer', 'inspector', 'admin')),
	scope_region text references region (code),
	scope_team text references team (id),
	disabled boolean not null default false,
	demo boolean not null default false,
	created_at timestamptz not null default now(),
	check ((role = 'inspector') = (scope_team is not null)),
	check (role = 'inspector' or scope_region is not null)
);

create table user_session (
	id text primary key, -- sha-256 of the cookie value; the value itself is never stored
	user_id bigint not null references app_user (id) on delete cascade,
	created_at timestamptz not null default now(),
	expires_at timestamptz not null
);

create index user_session_user on user_session (user_id);

create table audit_log (
	id bigint generated always as identity primary key,
	at timestamptz not null default now(),
	actor text,
	role text,
	action text not null,
	entity text not null,
	entity_id text,
	before jsonb,
	after jsonb
);

create index audit_at on audit_log (at desc);

-- Facts about this database: whether it holds demo data, which seed made it.
create table app_meta (
	key text primary key,
	value jsonb not null
);
