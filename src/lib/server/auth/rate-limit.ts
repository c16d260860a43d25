import { sql } from '../db';

const WINDOW_MINUTES = 15;
const LIMITS = { account: 5, address: 20 } as const;

export interface Lockout {
	retryAfterSeconds: number;
}

const keys = (username: string, address: string) => ({ account: `user:${username.toLowerCase()}`, address: `ip:${address}` });

/**
 * Whether sign-in is locked for this account or this address: more than the allowed failures
 * within the window. Kept in the database, so every node sees the same count.
 */
export async function lockout(username: string, address: string): Promise<Lockout | null> {
	const { account, address: ip } = keys(username, address);
	const rows = await sql`
		select key, count(*)::int as failures,
			ceil(extract(epoch from min(at) + make_interval(mins => ${WINDOW_MINUTES}) - now()))::int as retry
		from login_failure
		where key in (${account}, ${ip}) and at > now() - make_interval(mins => ${WINDOW_MINUTES})
		group by key
	`;
	const over = rows.filter((row) => row.failures >= (row.key === account ? LIMITS.account : LIMITS.address));
	if (!over.length) return null;
	return { retryAfterSeconds: Math.max(1, ...over.map((row) => row.retry as number)) };
}

export async function recordFailure(username: string, address: string): Promise<void> {
	const { account, address: ip } = keys(username, address);
	await sql`insert into login_failure (key) values (${account}), (${ip})`;
	await sql`delete from login_failure where at < now() - make_interval(mins => ${WINDOW_MINUTES * 4})`;
}

export async function clearFailures(username: string): Promise<void> {
	await sql`delete from login_failure where key = ${keys(username, '').account}`;
}
