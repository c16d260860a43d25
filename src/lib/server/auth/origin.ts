/**
 * Whether a request comes from a page of this site. SvelteKit's own check covers form posts
 * only; JSON mutations and the socket.io handshake ask this. A request without `Origin` (a
 * script, not a browser) passes unless the browser says it is cross-site.
 */
export function sameOrigin(headers: { get(name: string): string | null }, allowed: readonly string[] = []): boolean {
	const origin = headers.get('origin');
	if (!origin) return headers.get('sec-fetch-site') !== 'cross-site';
	if (allowed.includes(origin)) return true;
	try {
		return new URL(origin).host === headers.get('host');
	} catch {
		return false;
	}
}

export const allowedOrigins = (process.env.ALLOWED_ORIGINS ?? '')
	.split(',')
	.map((s) => s.trim())
	.filter(Boolean);
