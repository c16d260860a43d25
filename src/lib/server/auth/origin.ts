import type { IncomingMessage } from 'node:http';

interface Headers {
	get(name: string): string | null;
}

/**
 * Whether a request comes from a page of this site: its `Origin` is `own` (scheme, host and
 * port: `http://host` is not `https://host`) or one of `allowed`. hooks.server.ts asks it for
 * every write, pages and API alike, and the socket.io handshake asks it too. A request without
 * `Origin` (a script, not a browser) passes unless the browser says it is cross-site, or
 * `requireOrigin` is set (a form post: every browser sends one).
 */
export function sameOrigin(headers: Headers, own: string, allowed: readonly string[] = [], { requireOrigin = false } = {}): boolean {
	const origin = headers.get('origin');
	if (!origin) return !requireOrigin && headers.get('sec-fetch-site') !== 'cross-site';
	if (allowed.includes(origin)) return true;
	try {
		return new URL(origin).origin === new URL(own).origin;
	} catch {
		return false;
	}
}

const header = (request: IncomingMessage, name: string) => {
	const value = request.headers[name.toLowerCase()];
	return (Array.isArray(value) ? value[0] : value)?.split(',')[0].trim() || undefined;
};

/**
 * This server's origin as a request outside SvelteKit (the socket.io handshake) reached it,
 * worked out as adapter-node does for SvelteKit's `url`: `ORIGIN` when set, else the scheme
 * from `PROTOCOL_HEADER` (or of the connection) and the host from `HOST_HEADER` (or `Host`).
 */
export function ownOrigin(request: IncomingMessage): string {
	if (process.env.ORIGIN) return process.env.ORIGIN;
	const protocol = (process.env.PROTOCOL_HEADER && header(request, process.env.PROTOCOL_HEADER)) || ('encrypted' in request.socket ? 'https' : 'http');
	const host = (process.env.HOST_HEADER && header(request, process.env.HOST_HEADER)) || header(request, 'host') || 'localhost';
	return `${protocol}://${host}`;
}

export const allowedOrigins = (process.env.ALLOWED_ORIGINS ?? '')
	.split(',')
	.map((s) => s.trim())
	.filter(Boolean);
