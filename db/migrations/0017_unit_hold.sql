-- Holding units for a change with their state kept in the transaction, so that a writer can send
-- the hold, the change and the counters' move in one pipeline (one round trip): `unit_hold`
-- locks the units in code order and notes each one's state before the change in a
-- transaction-local setting; `unit_release` moves the counters by what changed since
-- (`unit_commit`) and clears the note. Both raise when a unit does not exist or was not held.
create function unit_hold(p_units text[]) returns void
language plpgsql as $$
declare
	unit text;
	s record;
begin
	-- one change per unit at a time: under READ COMMITTED a concurrent change committed between
	-- the two snapshots would otherwise be counted twice. `no key update` leaves foreign-key
	-- checks (key share) on the region free; code order keeps two holders from deadlock.
	perform 1 from region where code = any (p_units) order by code for no key update;
	for unit in select distinct u from unnest(p_units) u order by 1 loop
		select counts::text as counts, followups into s from unit_state(unit);
		if not found then
			raise exception 'unit % does not exist', unit;
		end if;
		perform set_config('hcc_held.u' || unit, jsonb_build_object('counts', s.counts, 'followups', s.followups)::text, true);
	end loop;
end $$;

create function unit_release(p_units text[]) returns void
language plpgsql as $$
declare
	unit text;
	held jsonb;
begin
	for unit in select distinct u from unnest(p_units) u order by 1 loop
		held := nullif(current_setting('hcc_held.u' || unit, true), '')::jsonb;
		if held is null then
			raise exception 'unit % was not held', unit;
		end if;
		perform unit_commit(unit, (held ->> 'counts')::indicator_counts, held -> 'followups');
		perform set_config('hcc_held.u' || unit, '', true);
	end loop;
end $$;
