-- Who an account belongs to, as an administrator needs to know it: the person's real name, the
-- unit they work for and a phone number to reach them. Optional: accounts made before have none.
alter table app_user
	add column full_name text check (length(full_name) between 1 and 40),
	add column unit text check (length(unit) between 1 and 100),
	add column phone text check (phone ~ '^[0-9+() -]{5,30}$');
