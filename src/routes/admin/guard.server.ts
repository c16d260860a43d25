import { error } from '@sveltejs/kit';
import { requireRole, type Asker } from '$lib/server/auth/scope';
import { ApiError } from '$lib/server/http/errors';

/**
 * The signed-in admin, or SvelteKit's error page for anyone else. Every load and every action
 * under /admin calls it: actions and page loads do not wait for the layout's load.
 */
export function requireAdmin(event: Asker) {
	try {
		return requireRole(event, 'admin');
	} catch (failure) {
		if (!(failure instanceof ApiError)) throw failure;
		if (failure.status === 403) error(403, { code: 'forbidden', message: '仅管理员可访问' });
		error(failure.status, { code: failure.code, message: failure.message });
	}
}
