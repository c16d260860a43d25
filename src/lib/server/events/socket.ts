import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '$lib/types/socket';
import { VERSION } from '../version';

export type Io = Server<ClientToServerEvents, ServerToClientEvents>;

// the production entry and the SvelteKit bundle each load this module: one server for both
const KEY = Symbol.for('hcc.io');
const holder = globalThis as unknown as Record<symbol, Io | undefined>;

/** Attaches the one socket.io server to an HTTP server; used by `server/index.ts` and the Vite plugin. */
export function attachSocket(httpServer: HttpServer): Io {
	const io: Io = new Server(httpServer, { path: '/socket.io', serveClient: false });
	io.on('connection', (socket) => {
		socket.emit('hello', { version: VERSION, time: new Date().toISOString() });
		socket.on('subscribe', (_request, ack) => {
			if (typeof ack !== 'function') return;
			ack({ ok: false, error: { code: 'not_available', message: '实时事件流尚未开放' } });
		});
	});
	holder[KEY] = io;
	return io;
}

export function socketServer(): Io | undefined {
	return holder[KEY];
}
