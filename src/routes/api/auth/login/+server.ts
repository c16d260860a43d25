import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { signIn, setSessionCookie } from '$lib/server/auth/login';
import { body } from '$lib/server/http/body';
import { ApiError, route } from '$lib/server/http/errors';
import type { RequestHandler } from './$types';

const credentials = z.object({ username: z.string().min(1).max(60), password: z.string().min(1).max(200) });

export const POST: RequestHandler = route(async (event) => {
	const { username, password } = await body(event.request, credentials);
	try {
		const session = await signIn(username, password, event.getClientAddress());
		setSessionCookie(event.cookies, event.url, session);
		return json({ ok: true, expires: session.expires });
	} catch (error) {
		if (error instanceof ApiError && error.status === 429) {
			const retry = error.details?.[0]?.message ?? '60';
			return json({ error: { code: error.code, message: error.message, retryAfter: Number(retry) } }, { status: 429, headers: { 'retry-after': retry } });
		}
		throw error;
	}
});
