import { z } from 'zod';
import type { SubscribeAck } from '$lib/types/socket';
import { regionInScope } from '../../auth/scope';
import { sql } from '../../db';
import { ApiError } from '../../http/errors';
import { eventsAfter, lastSeq, pathCodes, seen } from '../log';
import { liveFrom, liveThrough } from '../stream/registry';
import { sendTo } from './send';
import { regionRoom, type AppSocket, type Held } from './types';

const subscribeRequest = z.object({ region: z.string().max(12), after: z.number().int().min(0).optional(), batch: z.boolean().optional() });

/** Replay longer than this is refused: the client reloads instead. */
const MAX_REPLAY = 5_000;

interface Subscribed {
	ack: SubscribeAck;
	flush?: () => void;
}

async function subscribeNow(socket: AppSocket, raw: unknown): Promise<Subscribed> {
	const parsed = subscribeRequest.safeParse(raw);
	if (!parsed.success) return { ack: { ok: false, error: { code: 'invalid_request', message: '订阅参数不正确' } } };
	const viewer = socket.data.viewer;
	const held: Held = { events: [], through: null };
	let room: string | null = null;
	try {
		// the room is derived from a region the scope check returned, never from the client's string
		const region = await regionInScope({ locals: { viewer } }, parsed.data.region);
		// join first and hold what arrives live, so nothing falls between the replay and the stream
		socket.data.held = held;
		room = regionRoom(region.code);
		await socket.join(room);
		// the replay stops where the live stream has got to; everything later arrives live
		const through = liveThrough() ?? liveFrom(await lastSeq(sql));
		const { after } = parsed.data;
		const replay =
			after === undefined
				? { items: [], total: 0 }
				: // one more than may be replayed says whether there are too many, without counting them all
					await eventsAfter(sql, { region, after, upTo: through, limit: MAX_REPLAY + 1 }, socket.data.reader, { count: false });
		if (replay.items.length > MAX_REPLAY) throw new ApiError(409, 'too_far_behind', '落后太多，请重新加载');
		const replayed = new Set(replay.items.map((event) => event.seq));
		const flush = () => {
			socket.data.held = undefined;
			// held events of the socket's other regions may lie below the replay's end: one seq order.
			// Of those the client says it has seen (`after`: one seq for all its regions) none goes again.
			const live = held.events.filter((event) => !replayed.has(event.seq) && (after === undefined || event.seq > after));
			const events = [...seen(socket.data.reader, replay.items), ...live].sort((a, b) => a.seq - b.seq);
			// the chain starts again where the client said it was, in the way of taking events it asked for
			const start = after ?? through;
			socket.data.sent = start;
			socket.data.batch = parsed.data.batch === true;
			sendTo(socket, events, Math.min(start + 1, events[0]?.seq ?? start + 1), Math.max(through, held.through ?? 0));
		};
		return { ack: { ok: true, replayed: replay.items.length, head: through }, flush };
	} catch (error) {
		socket.data.held = undefined;
		if (room) void socket.leave(room);
		// what was held for the socket's other subscriptions still goes out
		const events = held.events.filter((event) => pathCodes(event.path).some((code) => socket.rooms.has(regionRoom(code))));
		if (events.length) sendTo(socket, events, (socket.data.sent ?? events[0].seq - 1) + 1, held.through ?? 0);
		if (error instanceof ApiError) return { ack: { ok: false, error: { code: error.code, message: error.message } } };
		console.error('subscribe failed:', (error as Error).message);
		return { ack: { ok: false, error: { code: 'unavailable', message: '暂时无法订阅' } } };
	}
}

/**
 * Subscriptions of one socket run one at a time. The ack goes first; the replay and what was
 * held follow right after it (`setImmediate` runs once the ack has been written).
 */
export function subscribe(socket: AppSocket, raw: unknown): Promise<SubscribeAck> {
	const step = (socket.data.subscribing ?? Promise.resolve()).then(() => subscribeNow(socket, raw));
	socket.data.subscribing = step.then(({ flush }) => new Promise<void>((done) => setImmediate(() => (flush?.(), done()))));
	return step.then(({ ack }) => ack);
}
