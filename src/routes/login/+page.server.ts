import { fail, redirect } from '@sveltejs/kit';
import { signIn, setSessionCookie } from '$lib/server/auth/login';
import { sessionViewer } from '$lib/server/auth/sessions';
import { ApiError } from '$lib/server/http/errors';
import { readForm } from '$lib/server/http/form';
import { landingPath } from '$lib/nav';
import type { Viewer } from '$lib/server/auth/viewer';
import type { Actions, PageServerLoad } from './$types';

/** Only a path on this site (never an absolute URL someone slipped into `next`); else the role's own start page. */
const safeNext = (next: string | null, viewer: Viewer | null) =>
	next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : landingPath(viewer && viewer.kind === 'user' ? viewer : null);

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.viewer?.kind === 'user') redirect(303, safeNext(url.searchParams.get('next'), locals.viewer));
	return {};
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await readForm(request);
		const username = String(form.get('username') ?? '').trim();
		const password = String(form.get('password') ?? '');
		if (!username || !password) return fail(400, { username, message: '请输入用户名和密码' });
		let viewer: Viewer | null = null;
		try {
			const session = await signIn(username, password, getClientAddress());
			setSessionCookie(cookies, url, session);
			viewer = await sessionViewer(session.token);
		} catch (error) {
			if (error instanceof ApiError && (error.status === 401 || error.status === 429)) {
				return fail(error.status, { username, message: error.message });
			}
			throw error;
		}
		redirect(303, safeNext(url.searchParams.get('next'), viewer));
	}
};
