-- Evidence of rectification (整改佐证材料): an image or a PDF uploaded for one problem, attached to
-- the move that claims the work done. The bytes live in the database with the record they
-- prove, never on a path a request could name; they are served only through the problem's scope.
create table problem_evidence (
	id bigint generated always as identity primary key,
	problem_id bigint not null references problem (id),
	name text not null check (length(name) between 1 and 200),
	media_type text not null check (media_type in ('image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf')),
	size integer not null check (size > 0),
	sha256 text not null,
	content bytea not null,
	uploaded_by text not null,
	uploaded_at timestamptz not null default now(),
	-- when a move claimed it; a file proves one move only
	attached_at timestamptz
);

create index problem_evidence_problem on problem_evidence (problem_id);
