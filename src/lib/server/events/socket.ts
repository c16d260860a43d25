import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '$lib/types/socket';
import { kioskViewer } from '../auth/kiosk';
import { allowedOrigins, sameOrigin } from '../auth/origin';
import { regionInScope } from '../auth/scope';
import { SESSION_COOKIE, sessionViewer } from '../auth/sessions';
import type { Viewer } from '../auth/viewer';
import { ApiError } from '../http/errors';
import { VERSION } from '../version';

interface SocketData {
	viewer: Viewer;
}

export type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

// the production entry and the SvelteKit bundle each load this module: one server for both
const KEY = Symbol.for('hcc.io');
const holder = globalThis as unknown as Record<symbol, Io | undefined>;

const subscribeRequest = z.object({ region: z.string().max(12), after: z.number().int().min(0).optional() });

function cookie(request: IncomingMessage, name: string): string | undefined {
	for (const part of (request.headers.cookie ?? '').split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return decodeURIComponent(value.join('='));
	}
	return undefined;
}

const headersOf = (request: IncomingMessage) => ({ get: (name: string) => (request.headers[name] as string | undefined) ?? null });

/** Rooms that let the server reach a viewer's sockets to cut them (logout, revoked token). */
const personalRoom = (viewer: Viewer) => (viewer.kind === 'kiosk' ? `kiosk:${viewer.id}` : `session:${viewer.sessionId}`);

async function subscribe(socket: AppSocket, raw: unknown): Promise<SubscribeAck> {
	const parsed = subscribeRequest.safeParse(raw);
	if (!parsed.success) return { ok: false, error: { code: 'invalid_request', message: '订阅参数不正确' } };
	try {
		// the room is derived from a region the scope check returned, never from the client's string
		const region = await regionInScope({ locals: { viewer: socket.data.viewer } }, parsed.data.region);
		await socket.join(`region:${region.code}`);
		return { ok: true, replayed: 0 };
	} catch (error) {
		if (error instanceof ApiError) return { ok: false, error: { code: error.code, message: error.message } };
		console.error('subscribe failed:', (error as Error).message);
		return { ok: false, error: { code: 'unavailable', message: '暂时无法订阅' } };
	}
}

/** Attaches the one socket.io server to an HTTP server; used by `server/index.ts` and the Vite plugin. */
export function attachSocket(httpServer: HttpServer): Io {
	const io: Io = new Server(httpServer, {
		path: '/socket.io',
		serveClient: false,
		// SvelteKit's origin check does not cover the handshake
		allowRequest: (request, callback) => callback(null, sameOrigin(headersOf(request), allowedOrigins))
	});
	io.use(async (socket, next) => {
		try {
			const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
			const viewer = token ? await kioskViewer(token) : await sessionViewer(cookie(socket.request, SESSION_COOKIE));
			if (!viewer) return next(new Error('unauthenticated'));
			socket.data.viewer = viewer;
			next();
		} catch {
			next(new Error('unavailable'));
		}
	});
	io.on('connection', (socket) => {
		void socket.join(personalRoom(socket.data.viewer));
		socket.emit('hello', { version: VERSION, time: new Date().toISOString() });
		socket.on('subscribe', (request, ack) => {
			if (typeof ack !== 'function') return;
			void subscribe(socket, request).then(ack);
		});
	});
	holder[KEY] = io;
	return io;
}

export function socketServer(): Io | undefined {
	return holder[KEY];
}

export function disconnectSessions(sessionIds: string[]): void {
	const io = socketServer();
	if (io && sessionIds.length) io.in(sessionIds.map((id) => `session:${id}`)).disconnectSockets(true);
}

export function disconnectKiosk(id: number): void {
	socketServer()?.in(`kiosk:${id}`).disconnectSockets(true);
}
