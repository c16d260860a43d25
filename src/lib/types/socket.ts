/** The socket.io contract, shared by the server and the pages. */
import type { LiveEvent } from './events';

export interface SubscribeRequest {
	region: string;
	after?: number;
}

export type SubscribeAck =
	/** `head`: the last seq the subscription starts from; later events arrive live */
	| { ok: true; replayed: number; head: number }
	| { ok: false; error: { code: string; message: string } };

export interface ServerToClientEvents {
	hello: (info: { version: string; time: string }) => void;
	/**
	 * One event of the live stream, in seq order. `prev` is the seq of the event sent before it on
	 * this socket (or where the subscription started): a client that has not seen `prev` has a gap.
	 */
	event: (event: LiveEvent & { prev: number | null }) => void;
}

export interface ClientToServerEvents {
	subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAck) => void) => void;
}
