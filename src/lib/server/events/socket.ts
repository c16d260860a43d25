import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { LiveEvent } from '$lib/types/events';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '$lib/types/socket';
import { kioskViewer } from '../auth/kiosk';
import { allowedOrigins, sameOrigin } from '../auth/origin';
import { regionInScope } from '../auth/scope';
import { SESSION_COOKIE, sessionViewer } from '../auth/sessions';
import type { Viewer } from '../auth/viewer';
import { ApiError } from '../http/errors';
import { VERSION } from '../version';
import { sql } from '../db';
import { eventsAfter, lastSeq, pathCodes, readerOf, type StoredEvent } from './log';

interface SocketData {
	viewer: Viewer;
}

export type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

// the production entry and the SvelteKit bundle each load this module: one server for both
const KEY = Symbol.for('hcc.io');
const holder = globalThis as unknown as Record<symbol, Io | undefined>;

const subscribeRequest = z.object({ region: z.string().max(12), after: z.number().int().min(0).optional() });

function cookie(request: IncomingMessage, name: string): string | undefined {
	for (const part of (request.headers.cookie ?? '').split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return decodeURIComponent(value.join('='));
	}
	return undefined;
}

const headersOf = (request: IncomingMessage) => ({ get: (name: string) => (request.headers[name] as string | undefined) ?? null });

/** Rooms that let the server reach a viewer's sockets to cut them (logout, revoked token). */
const personalRoom = (viewer: Viewer) => (viewer.kind === 'kiosk' ? `kiosk:${viewer.id}` : `session:${viewer.sessionId}`);

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
	const held: StoredEvent[] = [];
	let room: string | null = null;
	try {
		// the room is derived from a region the scope check returned, never from the client's string
		const region = await regionInScope({ locals: { viewer } }, parsed.data.region);
		// join first and hold what arrives live, so nothing falls between the replay and the stream
		live().held.set(socket, held);
		room = `region:${region.code}`;
		await socket.join(room);
		// the replay stops where the live stream has got to; everything later arrives live
		const through = liveThrough() ?? liveFrom(await lastSeq(sql));
		const { after } = parsed.data;
		const replay =
			after === undefined ? { items: [], total: 0 } : await eventsAfter(sql, { region, after, upTo: through, limit: MAX_REPLAY }, readerOf(viewer));
		if (replay.total > MAX_REPLAY) throw new ApiError(409, 'too_far_behind', '落后太多，请重新加载');
		const replayed = new Set(replay.items.map((event) => event.seq));
		const flush = () => {
			live().held.delete(socket);
			// held events of the socket's other regions may lie below the replay's end: one seq order
			const events = [...replay.items, ...held.filter((event) => !replayed.has(event.seq))].sort((a, b) => a.seq - b.seq);
			for (const event of events) socket.emit('event', toClient(event));
		};
		return { ack: { ok: true, replayed: replay.items.length, head: through }, flush };
	} catch (error) {
		live().held.delete(socket);
		if (room) void socket.leave(room);
		// what was held for the socket's other subscriptions still goes out
		for (const event of held) if (pathCodes(event.path).some((code) => socket.rooms.has(`region:${code}`))) socket.emit('event', toClient(event));
		if (error instanceof ApiError) return { ack: { ok: false, error: { code: error.code, message: error.message } } };
		console.error('subscribe failed:', (error as Error).message);
		return { ack: { ok: false, error: { code: 'unavailable', message: '暂时无法订阅' } } };
	}
}

/**
 * Subscriptions of one socket run one at a time. The ack goes first; the replay and what was
 * held follow right after it (`setImmediate` runs once the ack has been written).
 */
function subscribe(socket: AppSocket, raw: unknown): Promise<SubscribeAck> {
	const state = live();
	const step = (state.subscribing.get(socket) ?? Promise.resolve()).then(() => subscribeNow(socket, raw));
	state.subscribing.set(
		socket,
		step.then(({ flush }) => new Promise<void>((done) => setImmediate(() => (flush?.(), done()))))
	);
	return step.then(({ ack }) => ack);
}

// ---- the live stream: what the publisher (publish.ts) emits, held per socket during a replay

interface Live {
	/** the last seq sent live; null until the first publish or subscription */
	through: number | null;
	held: WeakMap<AppSocket, StoredEvent[]>;
	subscribing: WeakMap<AppSocket, Promise<void>>;
}

const LIVE = Symbol.for('hcc.live');
const live = (): Live => ((globalThis as unknown as Record<symbol, Live | undefined>)[LIVE] ??= { through: null, held: new WeakMap(), subscribing: new WeakMap() });

export const liveThrough = (): number | null => live().through;

/** Starts the live stream after `seq` unless it has started already; the seq it goes on from. */
export function liveFrom(seq: number): number {
	const state = live();
	state.through ??= seq;
	return state.through;
}

const toClient = ({ sealed: _sealed, ...event }: StoredEvent): LiveEvent => event;

/** Sends one event to the sockets subscribed to any region on its path that may read it. */
export function emit(event: StoredEvent): void {
	const state = live();
	state.through = Math.max(state.through ?? 0, event.seq);
	const io = socketServer();
	if (!io) return;
	const ids = new Set<string>();
	for (const code of pathCodes(event.path)) for (const id of io.sockets.adapter.rooms.get(`region:${code}`) ?? []) ids.add(id);
	for (const id of ids) {
		const socket = io.sockets.sockets.get(id);
		if (!socket) continue;
		if (event.sealed) {
			const reader = readerOf(socket.data.viewer);
			if (!reader.sealed && !(reader.team && (event.payload as { team?: string }).team === reader.team)) continue;
		}
		const held = state.held.get(socket);
		if (held) held.push(event);
		else socket.emit('event', toClient(event));
	}
}

/** Attaches the one socket.io server to an HTTP server; used by `server/index.ts` and the Vite plugin. */
export function attachSocket(httpServer: HttpServer): Io {
	const io: Io = new Server(httpServer, {
		path: '/socket.io',
		serveClient: false,
		// SvelteKit's origin check does not cover the handshake
		allowRequest: (request, callback) => callback(null, sameOrigin(headersOf(request), allowedOrigins))
	});
	io.use(async (socket, next) => {
		try {
			const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
			const viewer = token ? await kioskViewer(token) : await sessionViewer(cookie(socket.request, SESSION_COOKIE));
			if (!viewer) return next(new Error('unauthenticated'));
			socket.data.viewer = viewer;
			next();
		} catch {
			next(new Error('unavailable'));
		}
	});
	io.on('connection', (socket) => {
		void socket.join(personalRoom(socket.data.viewer));
		socket.emit('hello', { version: VERSION, time: new Date().toISOString() });
		socket.on('subscribe', (request, ack) => {
			if (typeof ack !== 'function') return;
			void subscribe(socket, request).then(ack);
		});
	});
	holder[KEY] = io;
	return io;
}

export function socketServer(): Io | undefined {
	return holder[KEY];
}

export function disconnectSessions(sessionIds: string[]): void {
	const io = socketServer();
	if (io && sessionIds.length) io.in(sessionIds.map((id) => `session:${id}`)).disconnectSockets(true);
}

export function disconnectKiosk(id: number): void {
	socketServer()?.in(`kiosk:${id}`).disconnectSockets(true);
}
