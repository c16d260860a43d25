import { fail, redirect } from '@sveltejs/kit';
import { signIn, setSessionCookie } from '$lib/server/auth/login';
import { ApiError } from '$lib/server/http/errors';
import type { Actions, PageServerLoad } from './$types';

/** Only a path on this site: never an absolute URL someone slipped into `next`. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.viewer?.kind === 'user') redirect(303, safeNext(url.searchParams.get('next')));
	return {};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const username = String(form.get('username') ?? '').trim();
		const password = String(form.get('password') ?? '');
		if (!username || !password) return fail(400, { username, message: '请输入用户名和密码' });
		try {
			const session = await signIn(username, password, getClientAddress());
			setSessionCookie(cookies, url, session);
		} catch (error) {
			if (error instanceof ApiError && (error.status === 401 || error.status === 429)) {
				return fail(error.status, { username, message: error.message });
			}
			throw error;
		}
		redirect(303, safeNext(url.searchParams.get('next')));
	}
};
