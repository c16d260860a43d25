/** The socket.io contract, shared by the server and the pages. */
import type { LiveEvent } from './events';

export interface SubscribeRequest {
	region: string;
	after?: number;
	/** the client takes `events` messages, one per commit batch, instead of one `event` message per event */
	batch?: boolean;
}

export type SubscribeAck =
	/** `head`: the last seq the subscription starts from; later events arrive live */
	| { ok: true; replayed: number; head: number }
	| { ok: false; error: { code: string; message: string } };

/** One event of the live stream, as `event` messages carry it. */
export type StreamEvent = LiveEvent & { prev: number | null };

/**
 * One commit batch of the live stream (or one page of a replay), for a subscriber that asked for
 * batches. `from`–`to` is the range of seqs the message stands for; `events` holds every event of
 * that range the receiver may see, in seq order, except `indicators.changed` values that a later
 * `indicators.changed` of the same message carries again for the same region: of each region only
 * the latest values are kept, and an `indicators.changed` left with no region is left out. The
 * client has then seen everything up to `to`. `prev` is the `to` of the message sent before it on
 * this socket (or the seq of the last `event`, or where the subscription started): a client that
 * has not seen `prev` has a gap.
 */
export interface EventBatch {
	from: number;
	to: number;
	prev: number | null;
	events: LiveEvent[];
}

export interface ServerToClientEvents {
	hello: (info: { version: string; time: string }) => void;
	/**
	 * One event of the live stream, in seq order. `prev` is the seq of the event sent before it on
	 * this socket (or where the subscription started): a client that has not seen `prev` has a gap.
	 */
	event: (event: StreamEvent) => void;
	events: (batch: EventBatch) => void;
}

export interface ClientToServerEvents {
	subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAck) => void) => void;
}

/** Between the app nodes of one deployment (REDIS_URL), through socket.io's adapter. */
export interface InterServerEvents {
	/** events up to `seq` are committed: each node's publisher reads the log on from its own last */
	'log:committed': (seq: number) => void;
}
