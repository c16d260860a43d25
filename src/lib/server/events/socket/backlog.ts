import type { AppSocket } from './types';

/**
 * What a socket may have waiting to be written before it is let go: packets engine.io holds for
 * it, and bytes its websocket has handed to the TCP socket that the client has not read. A
 * client that stopped reading would otherwise hold its whole backlog in this process until its
 * ping times out (45 s of every event). Let go, it reconnects on its own and replays from its
 * last seq once it reads again.
 */
const limits = { packets: 5_000, bytes: 16 * 2 ** 20 };

/** SOCKET_MAX_BACKLOG */
export function limitBacklog(packets: number): void {
	limits.packets = packets;
}

export function overloaded(socket: AppSocket): boolean {
	const conn = socket.conn as unknown as { writeBuffer?: unknown[]; transport?: { socket?: { bufferedAmount?: number } } };
	return (conn.writeBuffer?.length ?? 0) > limits.packets || (conn.transport?.socket?.bufferedAmount ?? 0) > limits.bytes;
}

/** Closes a socket's connection at once, its backlog with it; the client sees a transport close and reconnects. */
export function letGo(socket: AppSocket): void {
	const ws = (socket.conn as unknown as { transport?: { socket?: { terminate?: () => void } } }).transport?.socket;
	if (typeof ws?.terminate === 'function') ws.terminate();
	else socket.conn.close();
}
