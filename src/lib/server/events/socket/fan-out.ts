import type { LiveEvent } from '$lib/types/events';
import { pathCodes, shown, type StoredEvent } from '../log';
import { letGo, overloaded, queued } from './backlog';
import { foldIndicators } from './fold';
import { advance } from './send';
import { regionRoom, teamRoom, type AppSocket, type Io } from './types';

/** This node's sockets an event is for: those subscribed to a region on its path, and for a sealed team event the team's. */
function socketsOf(io: Io, event: StoredEvent): Set<string> {
	const rooms = pathCodes(event.path).map(regionRoom);
	const team = (event.payload as { team?: unknown }).team;
	if (event.sealed && typeof team === 'string') rooms.push(teamRoom(team));
	// the adapter's rooms are this node's own sockets: every node sends to its own
	const ids = new Set<string>();
	for (const room of rooms) for (const id of io.sockets.adapter.rooms.get(room) ?? []) ids.add(id);
	return ids;
}

/** Each socket's share of a batch, as its viewer may see it (`shown`), worked out once per kind of viewer (`readerKey`). */
function shares(io: Io, events: StoredEvent[]): Map<AppSocket, LiveEvent[]> {
	const picked = new Map<AppSocket, LiveEvent[]>();
	for (const event of events) {
		const copies = new Map<string, LiveEvent | null>();
		for (const id of socketsOf(io, event)) {
			const socket = io.sockets.sockets.get(id);
			if (!socket) continue;
			const key = socket.data.readerKey;
			let copy = copies.get(key);
			if (copy === undefined) copies.set(key, (copy = shown(socket.data.reader, event)));
			if (copy === null) continue;
			const share = picked.get(socket);
			if (share) share.push(copy);
			else picked.set(socket, [copy]);
		}
	}
	return picked;
}

interface Group<T> {
	message: T;
	prev: number | null;
	ids: string[];
}

function join<T>(groups: Map<string, Group<T>>, key: string, message: T, prev: number | null, id: string): void {
	const found = groups.get(key);
	if (found) found.ids.push(id);
	else groups.set(key, { message, prev, ids: [id] });
}

/**
 * Sends one commit batch (consecutive seqs, in seq order) to this node's sockets, each its own
 * share: a batch-taking socket one `events` message, any other one `event` message per event.
 * Sockets that get the same share and follow the same chain (`prev`) form one group, and each
 * group gets one broadcast: the packet is encoded once for all of them instead of once per
 * socket. A socket in the middle of a replay has its share held; one whose backlog is too long
 * is let go.
 */
export function fanOut(io: Io, events: StoredEvent[]): void {
	if (!events.length) return;
	const from = events[0].seq;
	const to = events[events.length - 1].seq;
	const singles = new Map<number, Map<string, Group<LiveEvent>>>(events.map((event) => [event.seq, new Map()]));
	const batches = new Map<string, Group<LiveEvent[]>>();
	for (const [socket, share] of shares(io, events)) {
		if (overloaded(socket)) {
			letGo(socket);
			continue;
		}
		const { held, readerKey } = socket.data;
		if (held) {
			held.events.push(...share);
			held.through = to;
		} else if (socket.data.batch) {
			const prev = advance(socket, to);
			queued(socket, share.length);
			// the same reader and the same seqs: the same copies
			join(batches, `${readerKey}#${prev}#${share.map((event) => event.seq).join(',')}`, share, prev, socket.id);
		} else {
			queued(socket, share.length);
			for (const copy of share) {
				const prev = advance(socket, copy.seq);
				join(singles.get(copy.seq)!, `${readerKey}#${prev}`, copy, prev, socket.id);
			}
		}
	}
	// every socket is in the room named by its id; `local`: the other nodes send to their own.
	// Event by event in seq order, so each socket gets its `event` messages in order.
	for (const groups of singles.values()) for (const { message, prev, ids } of groups.values()) io.local.to(ids).emit('event', { ...message, prev });
	for (const { message, prev, ids } of batches.values()) io.local.to(ids).emit('events', { from, to, prev, events: foldIndicators(message) });
}
