import type { Tx } from './types';

/**
 * Deterministic pseudo-random numbers for set-based SQL: a value is a slice of the md5 of a
 * salt (the seed's `random` and the purpose) and a row's key, so the same seed gives the same
 * rows whatever the order or plan; `random()` and `hashtext` would not. The functions are
 * temporary (pg_temp), so the schema is left as the migrations made it.
 */
export async function createRandomFunctions(tx: Tx): Promise<void> {
	// u(h, part): the part-th 32-bit slice (0..3) of an md5 hex digest as a number in [0, 1)
	await tx`
		create or replace function pg_temp.seed_slice(h text, part integer) returns double precision
		language sql immutable parallel safe
		as $$ select ('x' || substr(h, part * 8 + 1, 8))::bit(32)::bigint / 4294967296.0::float8 $$`;
	await tx`
		create or replace function pg_temp.seed_u(salt text, key text) returns double precision
		language sql immutable parallel safe
		as $$ select pg_temp.seed_slice(md5(salt || ':' || key), 0) $$`;
	// an integer in [lo, hi]
	await tx`
		create or replace function pg_temp.seed_int(salt text, key text, lo integer, hi integer) returns integer
		language sql immutable parallel safe
		as $$ select lo + floor(pg_temp.seed_u(salt, key) * (hi - lo + 1))::integer $$`;
	// a seed for ST_GeneratePoints, which wants a positive integer
	await tx`
		create or replace function pg_temp.seed_points(salt text, key text) returns integer
		language sql immutable parallel safe
		as $$ select 1 + floor(pg_temp.seed_u(salt, key) * 2147483000)::integer $$`;
}
