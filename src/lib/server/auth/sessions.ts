import { sql, type Db } from '../db';
import { digest, newToken } from './tokens';
import type { Role, ScopeRegion, Viewer } from './viewer';

export const SESSION_COOKIE = 'session';
export const SESSION_HOURS = 12;

export async function createSession(userId: number): Promise<{ token: string; expires: Date }> {
	const token = newToken();
	const [row] = await sql`
		insert into user_session (id, user_id, expires_at)
		values (${digest(token)}, ${userId}, now() + make_interval(hours => ${SESSION_HOURS}))
		returning expires_at
	`;
	return { token, expires: row.expires_at };
}

export async function endSession(token: string): Promise<string> {
	const id = digest(token);
	await sql`delete from user_session where id = ${id}`;
	return id;
}

export type ViewerRow = { id: number; username: string; role: Role; scope_team: string | null; level: string | null; code: string | null; name: string | null };

/** The columns of a `ViewerRow`, from `app_user` as `u` and its scope's `region` as `r`. */
export const viewerColumns = (db: Db) => db`u.id, u.username, u.role, u.scope_team, r.level, r.code, r.name`;

export function userViewer(row: ViewerRow, sessionId: string): Viewer {
	const scope = row.code ? ({ level: row.level, code: row.code, name: row.name } as ScopeRegion) : null;
	return { kind: 'user', id: row.id, username: row.username, role: row.role, scope, team: row.scope_team, sessionId };
}

/** The signed-in user behind a session cookie, if the session is live and the account enabled. */
export async function sessionViewer(token: string | undefined): Promise<Viewer | null> {
	if (!token || token.length > 100) return null;
	const id = digest(token);
	const [row] = await sql`
		select ${viewerColumns(sql)}
		from user_session s
			join app_user u on u.id = s.user_id
			left join region r on r.code = u.scope_region
		where s.id = ${id} and s.expires_at > now() and not u.disabled
	`;
	return row ? userViewer(row as unknown as ViewerRow, id) : null;
}

/** Ends every session of a user (disabled, password reset, role changed); returns their ids. */
export async function endSessionsOf(userId: number): Promise<string[]> {
	const rows = await sql`delete from user_session where user_id = ${userId} returning id`;
	return rows.map((row) => row.id as string);
}
