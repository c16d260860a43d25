-- Registered poor people with a disease. Pseudonymous: no names, no identity numbers.
create table patient (
	id text primary key check (id ~ '^[A-Za-z0-9_-]{4,40}$'),
	village_code text not null references region (code),
	county_code text not null references region (code),
	category text not null check (category in ('serious_illness', 'chronic', 'other')),
	disease text not null,
	identified_on date,
	treated_on date,
	signed_on date,
	followed_up_on date,
	insured boolean not null default false,
	enrolled_on date,
	updated_at timestamptz not null default now()
);

create index patient_village on patient (village_code);
create index patient_county on patient (county_code, category);
