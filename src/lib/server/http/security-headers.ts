/**
 * Headers every answer carries, pages and API alike: no sniffing of types, no framing by
 * another site, no full URL (a wall's `?token=`) in the `Referer` sent elsewhere. Pages get their
 * Content-Security-Policy from SvelteKit (`kit.csp` in svelte.config.js, with the nonce of their
 * inline script); an answer without one (JSON, CSV, a redirect) gets one that lets nothing run.
 */
export const ALWAYS: [string, string][] = [
	['x-content-type-options', 'nosniff'],
	['x-frame-options', 'DENY'],
	['referrer-policy', 'same-origin']
];
const INERT = "default-src 'none'; frame-ancestors 'none'";

export function withSecurityHeaders(response: Response): Response {
	let answer = response;
	try {
		for (const [name, value] of ALWAYS) answer.headers.set(name, value);
	} catch {
		// a response passed through from `fetch` has immutable headers
		answer = new Response(response.body, response);
		for (const [name, value] of ALWAYS) answer.headers.set(name, value);
	}
	if (!answer.headers.has('content-security-policy')) answer.headers.set('content-security-policy', INERT);
	return answer;
}
