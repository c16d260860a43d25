import { redirect, type Handle } from '@sveltejs/kit';
import { kioskViewer } from '$lib/server/auth/kiosk';
import { allowedOrigins, sameOrigin } from '$lib/server/auth/origin';
import { SESSION_COOKIE, sessionViewer } from '$lib/server/auth/sessions';
import { errorResponse, ApiError, unlessStuck } from '$lib/server/http/errors';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const PUBLIC_PAGES = ['/login'];
const PUBLIC_API = ['/api/health', '/api/auth/login'];

/** A kiosk token reads: `Authorization: Bearer …` on GET, or `?token=` on the wall page. */
function kioskToken(event: Parameters<Handle>[0]['event']): string | null {
	if (!SAFE.has(event.request.method)) return null;
	const header = event.request.headers.get('authorization');
	if (header?.startsWith('Bearer ')) return header.slice(7);
	return event.url.pathname === '/wall' ? event.url.searchParams.get('token') : null;
}

export const handle: Handle = async ({ event, resolve }) => {
	const api = event.url.pathname.startsWith('/api/');
	if (api && !SAFE.has(event.request.method) && !sameOrigin(event.request.headers, allowedOrigins)) {
		return errorResponse(new ApiError(403, 'cross_origin', '拒绝跨站请求'));
	}
	try {
		const token = kioskToken(event);
		const viewer = token ? kioskViewer(token) : sessionViewer(event.cookies.get(SESSION_COOKIE));
		// an API caller gets a 503, not a hang, when the database went away under this lookup
		event.locals.viewer = api ? await unlessStuck(event.request, viewer) : await viewer;
	} catch (error) {
		if (api) return errorResponse(error);
		throw error;
	}
	const path = event.url.pathname;
	if (!api && !event.locals.viewer && !PUBLIC_PAGES.includes(path)) {
		redirect(303, `/login?next=${encodeURIComponent(path + event.url.search)}`);
	}
	if (api && !event.locals.viewer && !PUBLIC_API.includes(path)) {
		return errorResponse(new ApiError(401, 'unauthenticated', '请先登录'));
	}
	return resolve(event);
};
