import { redirect } from '@sveltejs/kit';
import { SESSION_COOKIE, endSession } from '$lib/server/auth/sessions';
import { disconnectSessions } from '$lib/server/events/socket/server';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ cookies }) => {
		const token = cookies.get(SESSION_COOKIE);
		if (token) disconnectSessions([await endSession(token)]);
		cookies.delete(SESSION_COOKIE, { path: '/' });
		redirect(303, '/login');
	}
};
