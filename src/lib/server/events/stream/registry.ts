import type { StoredEvent } from '../log';
import type { Cluster } from './cluster';

/**
 * Where committed events go: the socket layer registers itself here when it is attached
 * (`attachSocket`), and the publisher hands it each commit batch. The stream knows nothing of
 * sockets beyond this.
 */
export interface Receivers {
	/** one commit batch, or one page of the log: consecutive seqs in seq order, whole (each receiver's cut is the receiver's own) */
	deliver(events: StoredEvent[]): void;
	/** cuts every socket in these rooms, on every node (a logout, a revoked token) */
	disconnect(rooms: string[]): void;
}

/**
 * The live stream's state, one per process. The production entry (`server/index.ts`) and the
 * SvelteKit bundle each load these modules, so state kept in a module would exist twice: a
 * write posted through a route publishes from the bundle's copy to sockets the entry's copy
 * attached. Both copies find this one object under one global symbol.
 */
export interface LiveRegistry {
	/** the last seq handed to the receivers; null until the first publish or subscription */
	through: number | null;
	/** the publisher is reading the log (`reading`), and has been asked to read on once more (`again`) */
	reading: boolean;
	again: boolean;
	/** the other app nodes, when there are any (REDIS_URL) */
	cluster: Cluster | null;
	receivers: Receivers | null;
}

const KEY = Symbol.for('hcc.live');

export const live = (): LiveRegistry =>
	((globalThis as unknown as Record<symbol, LiveRegistry | undefined>)[KEY] ??= { through: null, reading: false, again: false, cluster: null, receivers: null });

export const liveThrough = (): number | null => live().through;

/** Starts the live stream after `seq` unless it has started already; the seq it goes on from. */
export function liveFrom(seq: number): number {
	const state = live();
	state.through ??= seq;
	return state.through;
}

/** The socket layer, once attached: from now on the publisher hands it every commit batch. */
export function attachReceivers(receivers: Receivers): () => void {
	const state = live();
	state.receivers = receivers;
	return () => {
		if (state.receivers === receivers) state.receivers = null;
	};
}

export function attachCluster(cluster: Cluster | null): void {
	live().cluster = cluster;
}
