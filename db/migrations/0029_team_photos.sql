-- Photos a team takes on site, uploaded one at a time (each under its own Idempotency-Key) before
-- the finding that carries them; the finding moves them into its problem's evidence
-- (problem_evidence, 0021). Until then they are the team's alone, never a county's to read.
create table team_photo (
	id bigint generated always as identity primary key,
	team_id text not null references team (id),
	uploaded_by text not null,
	idempotency_key text,
	name text not null check (length(name) between 1 and 200),
	media_type text not null check (media_type in ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
	size integer not null check (size > 0),
	sha256 text not null,
	content bytea not null,
	created_at timestamptz not null default now(),
	unique (uploaded_by, idempotency_key)
);

create index team_photo_team on team_photo (team_id, created_at);
