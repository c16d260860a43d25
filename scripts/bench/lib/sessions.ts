import type postgres from 'postgres';
import { digest, newToken } from '../../../src/lib/server/auth/tokens';

/**
 * A session for `username`, written straight into the database: hundreds of clients need
 * cookies, and logging each in would measure argon2 and the login rate limit, not the stream.
 */
export async function sessionCookie(db: postgres.Sql, username: string): Promise<string> {
	const token = newToken();
	const [row] = await db`
		insert into user_session (id, user_id, expires_at)
		select ${digest(token)}, id, now() + interval '12 hours' from app_user where username = ${username}
		returning user_id
	`;
	if (!row) throw new Error(`no account ${username} in the bench database`);
	return `session=${token}`;
}
