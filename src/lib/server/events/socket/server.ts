import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { VERSION } from '../../version';
import { ALWAYS } from '../../http/security-headers';
import { joinCluster } from '../stream/cluster';
import { readOn } from '../stream/publish';
import { attachCluster, attachReceivers, live } from '../stream/registry';
import { countBacklog, limitBacklog } from './backlog';
import { fanOut } from './fan-out';
import { authenticate, sameOriginOnly } from './handshake';
import { subscribe } from './subscribe';
import { kioskRoom, personalRoom, sessionRoom, teamRoom, type Io } from './types';

export type { Io } from './types';

export interface SocketOptions {
	/** several app nodes share the fan-out through Redis */
	redisUrl?: string;
	redisPrefix?: string;
	/** events a socket may have waiting before it is let go (SOCKET_MAX_BACKLOG) */
	maxBacklog?: number;
}

/**
 * Attaches the one socket.io server to an HTTP server and makes it the stream's receivers: the
 * publisher hands it every commit batch from then on. Used by `server/index.ts` and the Vite plugin.
 */
export async function attachSocket(httpServer: HttpServer, options: SocketOptions = {}): Promise<Io> {
	if (options.maxBacklog) limitBacklog(options.maxBacklog);
	const io: Io = new Server(httpServer, { path: '/socket.io', serveClient: false, allowRequest: sameOriginOnly });
	// engine.io answers its own HTTP requests (polling, the handshake): the headers every answer carries
	io.engine.on('headers', (headers: Record<string, string>) => {
		for (const [name, value] of ALWAYS) headers[name] = value;
	});
	io.use(authenticate);
	io.on('connection', (socket) => {
		countBacklog(socket);
		const viewer = socket.data.viewer;
		void socket.join(personalRoom(viewer));
		if (viewer.kind === 'user' && viewer.role === 'inspector' && viewer.team) void socket.join(teamRoom(viewer.team));
		socket.emit('hello', { version: VERSION, time: new Date().toISOString() });
		socket.on('subscribe', (request, ack) => {
			if (typeof ack !== 'function') return;
			void subscribe(socket, request).then(ack);
		});
	});
	const detach = attachReceivers({ deliver: (events) => fanOut(io, events), disconnect: (rooms) => io.in(rooms).disconnectSockets(true) });
	httpServer.once('close', detach);
	if (options.redisUrl) {
		const cluster = await joinCluster(io, options.redisUrl, options.redisPrefix ?? 'hcc', readOn);
		attachCluster(cluster);
		httpServer.once('close', () => void cluster.close());
	}
	return io;
}

export function disconnectSessions(sessionIds: string[]): void {
	if (sessionIds.length) live().receivers?.disconnect(sessionIds.map(sessionRoom));
}

export function disconnectKiosk(id: number): void {
	live().receivers?.disconnect([kioskRoom(id)]);
}
