import { sql } from '../../db';
import { EVERYONE, eventsAfter, lastSeq, type StoredEvent } from '../log';
import { live, liveFrom, liveThrough, type LiveRegistry } from './registry';

/**
 * Hands committed events to the receivers (the socket layer) in seq order, one commit batch at a
 * time. Requests commit and return in any order, so the publisher does not pass on whatever it
 * is handed: what does not follow the last seq it passed on, it reads from the log after that
 * seq, which (seqs being gapless and commit-ordered) is every event, once, in order, whoever
 * wrote it. A page of that read is one batch.
 */
const PAGE = 500;

function deliver(state: LiveRegistry, events: StoredEvent[]): void {
	state.through = Math.max(state.through ?? 0, events[events.length - 1].seq);
	state.receivers?.deliver(events);
}

async function pump(state: LiveRegistry): Promise<void> {
	while (state.again) {
		state.again = false;
		for (;;) {
			const { items } = await eventsAfter(sql, { region: null, after: liveThrough() ?? 0, limit: PAGE }, EVERYONE, { count: false });
			if (items.length) deliver(state, items);
			if (items.length < PAGE) break;
		}
	}
}

function run(state: LiveRegistry): void {
	state.reading = true;
	pump(state)
		.catch((error: Error) => console.error('publishing events failed:', error.message))
		.finally(() => {
			state.reading = false;
			if (state.again) run(state);
		});
}

/** Hands this node's receivers the log from `seq` on, and anything before it not yet handed over. */
export function readOn(seq: number): void {
	const state = live();
	if (!state.receivers) return;
	liveFrom(seq - 1);
	state.again = true;
	if (!state.reading) run(state);
}

/**
 * Called after a commit that appended `events` (consecutive seqs, one commit batch): every node
 * sends them. When they come right after the last seq this node passed on and no read of the log
 * is under way, they go as they are, without reading them back; otherwise the publisher reads the log.
 */
export function publish(events: StoredEvent[]): void {
	if (!events.length) return;
	const first = events[0].seq;
	const state = live();
	const next = !state.reading && state.through === first - 1 && events.every((event, i) => event.seq === first + i);
	if (next && state.receivers) {
		// the write is committed and acknowledged whatever happens here
		try {
			deliver(state, events);
		} catch (error) {
			console.error('publishing events failed:', (error as Error).message);
		}
	} else readOn(first);
	state.cluster?.committed(first);
}

/**
 * Catches up with commits no one announced: another node's while Redis was away, or a
 * process that writes events without a socket server. One indexed read per interval.
 */
export function followLog(intervalMs: number): () => void {
	const timer = setInterval(async () => {
		const state = live();
		const through = state.through;
		if (through === null || !state.receivers) return;
		try {
			const head = await lastSeq(sql);
			if (head > through) readOn(through + 1);
		} catch {
			// the database is away; the next tick tries again
		}
	}, intervalMs);
	timer.unref();
	return () => clearInterval(timer);
}
