import { sql } from '../db';

const WINDOW_MINUTES = 15;

/**
 * The login policy (README, "Sign-in"): within a window of 15 minutes, 5 failures of one
 * account from one address lock that pair, so a stranger's tries do not lock the owner out
 * elsewhere; 20 from one address lock the address; an account takes at most 50 however many
 * addresses try it, and from its 10th failure each attempt waits for the one before it: 1 s,
 * 2 s, 4 s … up to a minute.
 */
export const POLICY = {
	pair: { limit: 5 },
	address: { limit: 20 },
	account: { limit: 50, backoffFrom: 10, backoffMaxSeconds: 60 }
} as const;

export interface Lockout {
	retryAfterSeconds: number;
}

const keys = (username: string, address: string) => {
	const name = username.toLowerCase();
	return { pair: `pair:${name}|${address}`, address: `ip:${address}`, account: `user:${name}` };
};

/** Seconds the account's next attempt waits after the last one, having had `attempts` in the window. */
export const backoffSeconds = (attempts: number) =>
	attempts < POLICY.account.backoffFrom ? 0 : Math.min(POLICY.account.backoffMaxSeconds, 2 ** (attempts - POLICY.account.backoffFrom));

/** A refusal, thrown out of the transaction so that it is rolled back. */
class Refused extends Error {
	constructor(readonly seconds: number) {
		super('login refused by the rate limit');
	}
}

/**
 * Takes this attempt's place in the account's, the address's and the pair's counters before the
 * password is checked, or answers how long to wait. The counters' rows are locked while they
 * are read and raised, so of any number of concurrent attempts no more pass than the limits
 * allow: each attempt let through counts until `admitted` gives it back (a success).
 */
export async function admit(username: string, address: string): Promise<Lockout | null> {
	const k = keys(username, address);
	const all = [k.account, k.address, k.pair].sort();
	try {
		await sql.begin(async (tx) => {
			await tx`insert into login_throttle (key) select unnest(${all}::text[]) order by 1 on conflict (key) do nothing`;
			const rows = await tx`
				select key,
					case when window_start > now() - make_interval(mins => ${WINDOW_MINUTES}) then attempts else 0 end as attempts,
					extract(epoch from window_start + make_interval(mins => ${WINDOW_MINUTES}) - now())::float8 as window_left,
					coalesce(extract(epoch from last_at - now())::float8, 0) as since_last
				from login_throttle where key in ${tx(all)} order by key for update`;
			const waits: number[] = [];
			for (const row of rows) {
				const limit = row.key === k.account ? POLICY.account.limit : row.key === k.address ? POLICY.address.limit : POLICY.pair.limit;
				if (row.attempts >= limit) waits.push(row.window_left);
				if (row.key === k.account && row.attempts > 0) {
					const wait = backoffSeconds(row.attempts) + row.since_last;
					if (wait > 0) waits.push(wait);
				}
			}
			// refused: rolled back, so a flood of made-up names leaves no rows behind
			if (waits.length) throw new Refused(Math.max(1, Math.ceil(Math.max(...waits))));
			await tx`
				update login_throttle set
					attempts = case when window_start > now() - make_interval(mins => ${WINDOW_MINUTES}) then attempts + 1 else 1 end,
					window_start = case when window_start > now() - make_interval(mins => ${WINDOW_MINUTES}) then window_start else now() end,
					last_at = now()
				where key in ${tx(all)}`;
		});
		return null;
	} catch (error) {
		if (error instanceof Refused) return { retryAfterSeconds: error.seconds };
		throw error;
	}
}

/** A failed attempt keeps its place in the counters; counters of windows long past are dropped. */
export async function failed(): Promise<void> {
	await sql`delete from login_throttle where window_start < now() - make_interval(mins => ${WINDOW_MINUTES * 4})`;
}

/** A successful sign-in gives its place back, and clears the failures of the account at that address. */
export async function admitted(username: string, address: string): Promise<void> {
	const k = keys(username, address);
	await sql`update login_throttle set attempts = greatest(attempts - 1, 0) where key in (${k.account}, ${k.address})`;
	await sql`delete from login_throttle where key = ${k.pair}`;
}
