-- 约谈: a recorded summons of a city or county leader by the province, over lagging work.
create table talk (
	id bigint generated always as identity primary key,
	region_code text not null references region (code),
	leader text not null check (length(leader) between 1 and 50),
	reason text not null check (length(reason) between 1 and 300),
	held_on date not null,
	recorded_by text not null,
	created_at timestamptz not null default now()
);

create index talk_region on talk (region_code, held_on);
