import type { IncomingMessage } from 'node:http';
import { kioskViewer } from '../../auth/kiosk';
import { allowedOrigins, ownOrigin, sameOrigin } from '../../auth/origin';
import { SESSION_COOKIE, sessionViewer } from '../../auth/sessions';
import { readerKey, readerOf } from '../log';
import type { AppSocket } from './types';

function cookie(request: IncomingMessage, name: string): string | undefined {
	for (const part of (request.headers.cookie ?? '').split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return decodeURIComponent(value.join('='));
	}
	return undefined;
}

const headersOf = (request: IncomingMessage) => ({ get: (name: string) => (request.headers[name] as string | undefined) ?? null });

/** engine.io's `allowRequest`: SvelteKit's origin check does not cover the handshake. */
export function sameOriginOnly(request: IncomingMessage, callback: (error: string | null | undefined, allowed: boolean) => void): void {
	callback(null, sameOrigin(headersOf(request), ownOrigin(request), allowedOrigins));
}

/** The handshake's middleware: a kiosk token (`auth: { token }`) or the session cookie; refused without either. */
export async function authenticate(socket: AppSocket, next: (error?: Error) => void): Promise<void> {
	try {
		const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
		const viewer = token ? await kioskViewer(token) : await sessionViewer(cookie(socket.request, SESSION_COOKIE));
		if (!viewer) return next(new Error('unauthenticated'));
		socket.data.viewer = viewer;
		socket.data.reader = readerOf(viewer);
		socket.data.readerKey = readerKey(socket.data.reader);
		next();
	} catch {
		next(new Error('unavailable'));
	}
}
