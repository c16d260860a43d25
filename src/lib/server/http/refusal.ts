import { json, type RequestEvent } from '@sveltejs/kit';
import { errorResponse, type ApiError } from './errors';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (error: ApiError) => `<!doctype html>
<html lang="zh-CN">
	<head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>${error.status} · 健康扶贫作战指挥平台</title></head>
	<body>
		<main data-testid="error-page">
			<p>错误 ${error.status}</p>
			<h1>${escape(error.message)}</h1>
			${(error.details ?? []).map((d) => `<p>${escape([d.field, d.message].filter(Boolean).join('：'))}</p>`).join('')}
			<p><a href="/">返回首页</a></p>
		</main>
	</body>
</html>
`;

/** Whether the caller asked for JSON rather than a page (a script, `fetch` with `accept`). */
function wantsJson(request: Request): boolean {
	const accept = request.headers.get('accept') ?? '';
	return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * A request refused before any route saw it (hooks.server.ts), in the shape its caller reads:
 * the contract's `{ error: { code, message, details? } }` for the API and for scripts, the
 * `{ type: 'error' }` of an action result for SvelteKit's own client (`use:enhance`, a page's
 * data), and for a browser a page that says what happened.
 */
export function refusal(event: RequestEvent, error: ApiError): Response {
	if (event.url.pathname.startsWith('/api/')) return errorResponse(error);
	if (event.isDataRequest || event.request.headers.get('x-sveltekit-action') === 'true') {
		return json({ type: 'error', status: error.status, error: { code: error.code, message: error.message } }, { status: error.status });
	}
	if (wantsJson(event.request)) return errorResponse(error);
	return new Response(page(error), {
		status: error.status,
		// the page needs nothing: no script, no style, no image
		headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" }
	});
}
