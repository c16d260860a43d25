import type { Writable } from 'node:stream';

interface WebSocketTransport {
	name: string;
	send(packets: unknown[]): void;
	socket?: { _socket?: Writable };
}

/**
 * engine.io sends a socket's waiting packets together (everything emitted while its previous
 * write was on its way), but as one websocket frame and one system call each. Corked around
 * that send, the frames leave in one write: under load, several messages reach a client in
 * one system call instead of one per message. For engine.io's websocket transport only
 * (`transport.send`, ws's `_socket`); any other transport is left as it is.
 */
export function batchWrites(transport: unknown): void {
	const ws = transport as WebSocketTransport;
	const tcp = ws.socket?._socket;
	if (ws.name !== 'websocket' || !tcp || typeof tcp.cork !== 'function') return;
	const send = ws.send.bind(ws);
	ws.send = (packets) => {
		if (packets.length < 2) return send(packets);
		tcp.cork();
		try {
			send(packets);
		} finally {
			tcp.uncork();
		}
	};
}
