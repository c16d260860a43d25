import { sql } from '../db';
import type { Cluster } from './cluster';
import { EVERYONE, eventsAfter, lastSeq, type StoredEvent } from './log';
import { emit, liveFrom, liveThrough, socketServer } from './socket';

/**
 * Broadcasts committed events in seq order. Requests commit and return in any order, so the
 * publisher does not send what they hand it: it reads the log after the last seq it sent, which
 * (seqs being gapless and commit-ordered) is every event, once, in order, whoever wrote it.
 */
interface Publisher {
	running: boolean;
	again: boolean;
	/** the other app nodes, when there are any (REDIS_URL) */
	cluster: Cluster | null;
}

// the SvelteKit bundle and the production entry each load this module: one publisher for both
const KEY = Symbol.for('hcc.publisher');
const holder = globalThis as unknown as Record<symbol, Publisher | undefined>;
const publisher = (): Publisher => (holder[KEY] ??= { running: false, again: false, cluster: null });

const PAGE = 500;

async function pump(state: Publisher): Promise<void> {
	while (state.again) {
		state.again = false;
		for (;;) {
			const { items } = await eventsAfter(sql, { region: null, after: liveThrough() ?? 0, limit: PAGE }, EVERYONE, { count: false });
			for (const event of items) emit(event);
			if (items.length < PAGE) break;
		}
	}
}

function run(state: Publisher): void {
	state.running = true;
	pump(state)
		.catch((error: Error) => console.error('publishing events failed:', error.message))
		.finally(() => {
			state.running = false;
			if (state.again) run(state);
		});
}

/** Sends this node's sockets the log from `seq` on, and anything before it not yet sent. */
export function wake(seq: number): void {
	if (!socketServer()) return;
	liveFrom(seq - 1);
	const state = publisher();
	state.again = true;
	if (!state.running) run(state);
}

/**
 * Called after a commit that appended `events` (consecutive seqs): every node sends them. When
 * they come right after the last seq this node sent and no read of the log is under way, they
 * are sent as they are, without reading them back; otherwise the publisher reads the log.
 */
export function publish(events: StoredEvent[]): void {
	if (!events.length) return;
	const first = events[0].seq;
	const state = publisher();
	const next = !state.running && liveThrough() === first - 1 && events.every((event, i) => event.seq === first + i);
	if (next && socketServer()) {
		// the write is committed and acknowledged whatever happens here
		try {
			for (const event of events) emit(event);
		} catch (error) {
			console.error('publishing events failed:', (error as Error).message);
		}
	} else wake(first);
	state.cluster?.committed(first);
}

export function setCluster(cluster: Cluster | null): void {
	publisher().cluster = cluster;
}

/**
 * Catches up with commits no one announced: another node's while Redis was away, or a
 * process that writes events without a socket server. One indexed read per interval.
 */
export function followLog(intervalMs: number): () => void {
	const timer = setInterval(async () => {
		const through = liveThrough();
		if (through === null || !socketServer()) return;
		try {
			const head = await lastSeq(sql);
			if (head > through) wake(through + 1);
		} catch {
			// the database is away; the next tick tries again
		}
	}, intervalMs);
	timer.unref();
	return () => clearInterval(timer);
}
