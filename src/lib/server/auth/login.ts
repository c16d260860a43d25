import type { Cookies } from '@sveltejs/kit';
import { sql } from '../db';
import { ApiError } from '../http/errors';
import { audit } from './audit';
import { verifyPassword } from './passwords';
import { admit, admitted, failed } from './rate-limit';
import { createSession, SESSION_COOKIE } from './sessions';
import { findLogin } from './users';

const wait = (seconds: number) => (seconds < 60 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`);

/**
 * Checks the password and opens a session. A wrong password and an unknown account get the
 * same answer after the same work; too many failures lock the account at that address, the
 * address, or (many more) the account for a while (`rate-limit.ts`). The attempt is counted
 * before its password is checked, so a burst of attempts checks no more than the limit allows.
 */
export async function signIn(username: string, password: string, address: string) {
	const locked = await admit(username, address);
	if (locked) {
		throw new ApiError(429, 'too_many_attempts', `登录失败次数过多，请 ${wait(locked.retryAfterSeconds)}后再试`, [
			{ field: 'retryAfter', message: String(locked.retryAfterSeconds) }
		]);
	}
	const user = await findLogin(username);
	const ok = await verifyPassword(user?.password_hash ?? null, password);
	if (!user || !ok || user.disabled) {
		await failed();
		throw new ApiError(401, 'invalid_credentials', '用户名或密码错误');
	}
	await admitted(username, address);
	const session = await createSession(user.id);
	await audit(sql, { actor: user.username, role: user.role }, { action: 'login', entity: 'user', entityId: user.id });
	return session;
}

export function setSessionCookie(cookies: Cookies, url: URL, session: { token: string; expires: Date }) {
	cookies.set(SESSION_COOKIE, session.token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		expires: session.expires
	});
}
