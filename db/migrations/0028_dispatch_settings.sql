-- The weights of a province's dispatch priority and its quiet period (减负期), as its admins set them;
-- a province without a row uses the defaults in lib/server/dispatch/weights.ts.
create table dispatch_setting (
	province_code text primary key references region (code),
	weights jsonb not null,
	updated_by text not null,
	updated_at timestamptz not null default now()
);
