import { redirect, type Handle, type RequestEvent } from '@sveltejs/kit';
import { kioskViewer } from '$lib/server/auth/kiosk';
import { allowedOrigins, sameOrigin } from '$lib/server/auth/origin';
import { SESSION_COOKIE, sessionViewer } from '$lib/server/auth/sessions';
import { errorResponse, ApiError, unlessStuck } from '$lib/server/http/errors';
import { NUL_MESSAGE, nulPair } from '$lib/server/http/input';
import { refusal } from '$lib/server/http/refusal';
import { withSecurityHeaders } from '$lib/server/http/security-headers';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const PUBLIC_PAGES = ['/login'];
const PUBLIC_API = ['/api/health', '/api/auth/login'];

/** A kiosk token reads: `Authorization: Bearer …` on GET, or `?token=` on the wall page. */
function kioskToken(event: RequestEvent): string | null {
	if (!SAFE.has(event.request.method)) return null;
	const header = event.request.headers.get('authorization');
	if (header?.startsWith('Bearer ')) return header.slice(7);
	return event.url.pathname === '/wall' ? event.url.searchParams.get('token') : null;
}

/**
 * What no route may be asked, refused before any is: a write from another site (SvelteKit's own
 * check is off in svelte.config.js, so that this one answers pages and API alike, in the
 * contract's shape), and a NUL character in the path or the query string, which no code, name or
 * filter holds and PostgreSQL cannot take.
 */
function refusedAtEdge(event: RequestEvent, api: boolean): ApiError | null {
	// a browser sends Origin with every form post: a page's write without one is refused as SvelteKit refused it
	if (!SAFE.has(event.request.method) && !sameOrigin(event.request.headers, event.url.origin, allowedOrigins, { requireOrigin: !api })) {
		return new ApiError(403, 'cross_origin', '拒绝跨站请求');
	}
	if (/%00/.test(event.url.pathname)) return new ApiError(400, 'invalid_request', '请求地址含有空字符', [{ field: 'path', message: NUL_MESSAGE }]);
	const nul = nulPair(event.url.searchParams);
	if (nul !== null) return new ApiError(400, 'invalid_request', '请求参数不正确', [{ field: nul, message: NUL_MESSAGE }]);
	return null;
}

async function authenticated(event: RequestEvent, resolve: Parameters<Handle>[0]['resolve'], api: boolean): Promise<Response> {
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
}

export const handle: Handle = async ({ event, resolve }) => {
	const api = event.url.pathname.startsWith('/api/');
	const problem = refusedAtEdge(event, api);
	return withSecurityHeaders(problem ? refusal(event, problem) : await authenticated(event, resolve, api));
};
