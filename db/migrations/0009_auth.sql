-- Read-only tokens for unattended wall screens, bound to a region; revocable.
create table kiosk_token (
	id bigint generated always as identity primary key,
	name text not null check (length(name) between 1 and 80),
	region_code text not null references region (code),
	token_hash text not null unique, -- sha-256 of the token; the token itself is shown once
	created_by text not null,
	created_at timestamptz not null default now(),
	revoked_at timestamptz
);

-- Failed sign-ins, by account and by address, for the login rate limit.
create table login_failure (
	key text not null,
	at timestamptz not null default now()
);

create index login_failure_key_at on login_failure (key, at);
create index user_session_expires on user_session (expires_at);
create index audit_entity on audit_log (entity, entity_id);
create index audit_actor on audit_log (actor, at desc);
