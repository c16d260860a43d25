-- Imports of villages, facilities, patients and problems (SPEC §5). A file's rows are staged
-- as they arrive, each batch in a statement of its own, so that no transaction stays open while
-- a large file uploads; they are checked there and applied from there in one transaction.
create table import_job (
	id text primary key check (id ~ '^[A-Za-z0-9-]{8,64}$'),
	user_id bigint not null references app_user (id) on delete cascade,
	kind text not null check (kind in ('villages', 'facilities', 'patients', 'problems')),
	file_name text check (length(file_name) <= 200),
	dry_run boolean not null,
	phase text not null default 'receiving' check (phase in ('receiving', 'checking', 'applying', 'done', 'failed')),
	rows integer not null default 0,
	bytes bigint not null default 0,
	total_bytes bigint,
	errors integer not null default 0,
	result jsonb,
	started_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	finished_at timestamptz
);

create index import_job_user on import_job (user_id, started_at desc);

-- The bad cells of a job's file, kept for a day so that the uploader can download them all.
create table import_error (
	id bigint generated always as identity primary key,
	job text not null references import_job (id) on delete cascade,
	row integer not null,
	field text not null,
	message text not null
);

create index import_error_job on import_error (job, row, id);

-- The staged rows, one table per kind, in the columns of the file, typed; `change` is what
-- applying the row does (insert, update, or null for a row equal to the record). Unlogged:
-- a staged file is worth nothing after a crash, and its rows need no WAL.
create unlogged table import_village (
	job text not null,
	row integer not null,
	code text,
	name text,
	township_code text,
	lon float8,
	lat float8,
	population integer,
	is_key boolean,
	change text
);

create index import_village_job on import_village (job, code);

create unlogged table import_facility (
	job text not null,
	row integer not null,
	code text,
	name text,
	kind text,
	region_code text,
	lon float8,
	lat float8,
	doctors integer,
	licensed_doctors integer,
	standard_met boolean,
	change text,
	old_region text
);

create index import_facility_job on import_facility (job, code);

create unlogged table import_patient (
	job text not null,
	row integer not null,
	id text,
	village_code text,
	category text,
	disease text,
	identified_on date,
	treated_on date,
	signed_on date,
	followed_up_on date,
	insured boolean,
	change text,
	old_village text
);

create index import_patient_job on import_patient (job, id);

create unlogged table import_problem (
	job text not null,
	row integer not null,
	code text,
	region_code text,
	category text,
	source text,
	description text,
	found_on date,
	deadline date,
	responsible_unit text,
	responsible_leader text,
	status text,
	change text,
	old_region text
);

create index import_problem_job on import_problem (job, code);
