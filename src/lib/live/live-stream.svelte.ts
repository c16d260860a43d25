import { io, type Socket } from 'socket.io-client';
import type { LiveEvent } from '$lib/types/events';
import type { ClientToServerEvents, EventBatch, ServerToClientEvents, SubscribeAck } from '$lib/types/socket';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface LiveOptions {
	/**
	 * the region to follow; the server checks it against the viewer's scope. Without one the
	 * stream carries only what the server sends the viewer itself (an inspector's own team's
	 * events), with no replay: after a reconnect the page is told to read its data again.
	 */
	region?: string;
	/** a kiosk token, for wall screens without a session */
	token?: string;
	/** replay from here on the first subscription (omit for live events only) */
	after?: number;
	/** how many recent events to keep for a ticker */
	keep?: number;
	/** the server, when not the page's own origin (tests, other tools) */
	url?: string;
}

/**
 * One live subscription, shared state for a page: the last `seq` seen, the connection state and
 * the recent events. It takes the stream in batches (`events` messages, one per commit batch,
 * `indicators.changed` folded to the latest values per region); what the server sends the
 * viewer without a subscription comes as `event` messages. After a reconnect it subscribes
 * again from the last `seq`, so the server replays what was missed; an event at or below the
 * last `seq` is a duplicate and is dropped.
 */
export class LiveStream {
	status: LiveStatus = $state('connecting');
	lastSeq = $state(0);
	receivedAt: Date | null = $state(null);
	recent: LiveEvent[] = $state([]);
	error: string | null = $state(null);

	#socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
	#listeners = new Set<(event: LiveEvent) => void>();
	#resyncs = new Set<() => void>();
	#subscribedOnce = false;
	#resubscribing = false;

	constructor(private readonly options: LiveOptions) {
		if (options.after !== undefined) this.lastSeq = options.after;
	}

	start(): this {
		const options = { path: '/socket.io', transports: ['websocket'], auth: this.options.token ? { token: this.options.token } : {} };
		const socket: Socket<ServerToClientEvents, ClientToServerEvents> = this.options.url ? io(this.options.url, options) : io(options);
		socket.on('connect', () => void this.#subscribe(socket));
		socket.on('disconnect', (reason) => {
			if (this.status === 'refused') return;
			this.status = 'reconnecting';
			// cut by the server (a revoked token, a logout): try once more, and the handshake says why
			if (reason === 'io server disconnect') socket.connect();
		});
		socket.on('connect_error', (error) => {
			if (error.message === 'unauthenticated') {
				this.status = 'refused';
				this.error = error.message;
				socket.close();
			} else this.status = 'reconnecting';
		});
		socket.on('event', (event) => this.#accept({ from: event.seq, to: event.seq, prev: event.prev, events: [event] }, socket));
		socket.on('events', (batch) => this.#accept(batch, socket));
		this.#socket = socket;
		return this;
	}

	/** Calls `listener` for each new event, in `seq` order; returns the unsubscribe function. */
	onEvent(listener: (event: LiveEvent) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * Calls `listener` when the page has been away too long for a replay (the server caps it):
	 * the stream goes on live from now, and the page reloads its data instead.
	 */
	onResync(listener: () => void): () => void {
		this.#resyncs.add(listener);
		return () => this.#resyncs.delete(listener);
	}

	stop(): void {
		this.#socket?.close();
		this.#socket = undefined;
	}

	async #subscribe(socket: Socket<ServerToClientEvents, ClientToServerEvents>, resync = false): Promise<void> {
		if (this.options.region === undefined) {
			if (this.#subscribedOnce) for (const listener of this.#resyncs) listener();
			this.#subscribedOnce = true;
			this.status = 'live';
			this.error = null;
			return;
		}
		const after = !resync && (this.#subscribedOnce || this.options.after !== undefined) ? this.lastSeq : undefined;
		let ack: SubscribeAck;
		try {
			ack = await socket.timeout(15_000).emitWithAck('subscribe', { region: this.options.region, after, batch: true });
		} catch {
			// no answer: drop the connection and let the client reconnect and try again
			socket.disconnect().connect();
			return;
		}
		if (!ack.ok && ack.error.code === 'too_far_behind' && this.#resyncs.size) {
			await this.#subscribe(socket, true);
			for (const listener of this.#resyncs) listener();
			return;
		}
		if (!ack.ok) {
			this.status = 'refused';
			this.error = ack.error.message;
			return;
		}
		// live only: what came before the subscription is not this page's to replay later
		if (after === undefined) this.lastSeq = Math.max(this.lastSeq, ack.head);
		this.#subscribedOnce = true;
		this.status = 'live';
		this.error = null;
	}

	/** One message of the stream: a batch, or one event as a batch of its own. */
	#accept(batch: EventBatch, socket: Socket<ServerToClientEvents, ClientToServerEvents>): void {
		if (batch.to <= this.lastSeq) return;
		// something between the last seq seen and this message went missing: ask for it again; this
		// message and those after it come back in the replay
		if (batch.prev != null && batch.prev > this.lastSeq && this.options.region !== undefined) {
			if (!this.#resubscribing) {
				this.#resubscribing = true;
				void this.#subscribe(socket).finally(() => (this.#resubscribing = false));
			}
			return;
		}
		const fresh = batch.events.filter((event) => event.seq > this.lastSeq);
		// everything up to `to` has been seen: what the batch left out was not this viewer's, or folded
		this.lastSeq = batch.to;
		if (!fresh.length) return;
		this.receivedAt = new Date();
		this.recent = [...fresh.slice(-(this.options.keep ?? 50)).reverse(), ...this.recent].slice(0, this.options.keep ?? 50);
		for (const event of fresh) for (const listener of this.#listeners) listener(event);
	}
}
