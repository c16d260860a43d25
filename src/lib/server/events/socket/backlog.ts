import type { AppSocket } from './types';

/**
 * What a socket may have waiting to be written before it is let go: events in the messages
 * engine.io holds for it (an `event` message is one, an `events` message as many as it carries),
 * and bytes its websocket has handed to the TCP socket that the client has not read. A client
 * that stopped reading would otherwise hold its whole backlog in this process until its ping
 * times out (45 s of every event). Let go, it reconnects on its own and replays from its last
 * seq once it reads again.
 */
const limits = { events: 5_000, bytes: 16 * 2 ** 20 };

/** SOCKET_MAX_BACKLOG */
export function limitBacklog(events: number): void {
	limits.events = events;
}

/**
 * Counts what is sent to a socket until engine.io hands its waiting packets to the websocket
 * (`drain`: its previous write has gone out); a client that does not read holds them back.
 */
export function countBacklog(socket: AppSocket): void {
	socket.data.waiting = 0;
	socket.conn.on('drain', () => (socket.data.waiting = 0));
}

export function queued(socket: AppSocket, events: number): void {
	socket.data.waiting = (socket.data.waiting ?? 0) + events;
}

export function overloaded(socket: AppSocket): boolean {
	const conn = socket.conn as unknown as { transport?: { socket?: { bufferedAmount?: number } } };
	return (socket.data.waiting ?? 0) > limits.events || (conn.transport?.socket?.bufferedAmount ?? 0) > limits.bytes;
}

/** Closes a socket's connection at once, its backlog with it; the client sees a transport close and reconnects. */
export function letGo(socket: AppSocket): void {
	const ws = (socket.conn as unknown as { transport?: { socket?: { terminate?: () => void } } }).transport?.socket;
	if (typeof ws?.terminate === 'function') ws.terminate();
	else socket.conn.close();
}
