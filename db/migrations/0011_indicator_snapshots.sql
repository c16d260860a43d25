-- Indicator values of every province, city and county as they stood when the day's snapshot
-- was taken (the first check of the day). "Change today" and the rankings' change are measured
-- against the latest snapshot, so they hold still between snapshots instead of drifting.
create table indicator_snapshot (
	region_code text not null references region (code),
	taken_on date not null,
	taken_at timestamptz not null default now(),
	values jsonb not null,
	primary key (region_code, taken_on)
);

create index indicator_snapshot_day on indicator_snapshot (taken_on);
