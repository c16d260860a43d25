import type { LiveEvent } from '$lib/types/events';
import { queued } from './backlog';
import { foldIndicators } from './fold';
import type { AppSocket } from './types';

/** Moves the socket's chain on to `seq`; the seq sent before it, which the message names as `prev`. */
export function advance(socket: AppSocket, seq: number): number | null {
	const prev = socket.data.sent ?? null;
	socket.data.sent = Math.max(prev ?? 0, seq);
	return prev;
}

/** At most this many events in one `events` message of a replay. */
const PAGE = 500;

/**
 * Sends one socket `events` (already cut for its viewer, in seq order) that stand for the seqs
 * `from`–`to`: as `event` messages, or for a batch-taking socket as `events` messages of at most
 * `PAGE` events each, whose ranges follow one another and end at `to`. Nothing to send: no message,
 * and the chain stays where it was.
 */
export function sendTo(socket: AppSocket, events: LiveEvent[], from: number, to: number): void {
	queued(socket, events.length);
	if (!socket.data.batch) {
		for (const event of events) socket.emit('event', { ...event, prev: advance(socket, event.seq) });
		return;
	}
	for (let start = 0; start < events.length; start += PAGE) {
		const page = events.slice(start, start + PAGE);
		const last = start + PAGE >= events.length;
		const end = last ? Math.max(to, page[page.length - 1].seq) : page[page.length - 1].seq;
		socket.emit('events', { from, to: end, prev: advance(socket, end), events: foldIndicators(page) });
		from = end + 1;
	}
}
