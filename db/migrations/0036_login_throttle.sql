-- The login rate limit as counters, one row per key (an account, an address, an account at an
-- address): a sign-in takes its place in every counter under row locks before the password is
-- checked, so concurrent attempts cannot all pass the same count. `attempts` counts failures
-- and checks still under way within the window that began at `window_start`; `last_at` is when
-- the last attempt was let through (the per-account backoff waits from there).
create table login_throttle (
	key text primary key,
	window_start timestamptz not null default now(),
	attempts integer not null default 0 check (attempts >= 0),
	last_at timestamptz
);

create index login_throttle_window on login_throttle (window_start);

drop table login_failure;
