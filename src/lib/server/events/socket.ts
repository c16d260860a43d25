import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Writable } from 'node:stream';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '$lib/types/socket';
import { kioskViewer } from '../auth/kiosk';
import { allowedOrigins, ownOrigin, sameOrigin } from '../auth/origin';
import { regionInScope } from '../auth/scope';
import { SESSION_COOKIE, sessionViewer } from '../auth/sessions';
import type { Viewer } from '../auth/viewer';
import { ApiError } from '../http/errors';
import { VERSION } from '../version';
import { sql } from '../db';
import { joinCluster } from './cluster';
import type { LiveEvent } from '$lib/types/events';
import { eventsAfter, lastSeq, pathCodes, readerKey, readerOf, seen, shown, type Reader, type StoredEvent } from './log';
import { setCluster, wake } from './publish';
import { ALWAYS } from '../http/security-headers';

interface SocketData {
	viewer: Viewer;
	/** what of each event the viewer may see (`shown`), and the key of receivers who see the same */
	reader: Reader;
	readerKey: string;
	/** the highest seq sent on this socket: each event names it as `prev`, so clients see gaps */
	sent?: number;
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

/** An inspector's sockets also hear their own team's (sealed) events, placed at the province. */
const teamRoom = (team: string) => `team:${team}`;

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
	const held: LiveEvent[] = [];
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
			after === undefined
				? { items: [], total: 0 }
				: // one more than may be replayed says whether there are too many, without counting them all
					await eventsAfter(sql, { region, after, upTo: through, limit: MAX_REPLAY + 1 }, socket.data.reader, { count: false });
		if (replay.items.length > MAX_REPLAY) throw new ApiError(409, 'too_far_behind', '落后太多，请重新加载');
		const replayed = new Set(replay.items.map((event) => event.seq));
		const flush = () => {
			live().held.delete(socket);
			// held events of the socket's other regions may lie below the replay's end: one seq order
			const events = [...seen(socket.data.reader, replay.items), ...held.filter((event) => !replayed.has(event.seq))].sort((a, b) => a.seq - b.seq);
			// the chain starts again where the client said it was
			socket.data.sent = after ?? through;
			for (const event of events) send(socket, event);
		};
		return { ack: { ok: true, replayed: replay.items.length, head: through }, flush };
	} catch (error) {
		live().held.delete(socket);
		if (room) void socket.leave(room);
		// what was held for the socket's other subscriptions still goes out
		for (const event of held) if (pathCodes(event.path).some((code) => socket.rooms.has(`region:${code}`))) send(socket, event);
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
	/** what arrives live for a socket during its replay, as its viewer sees it */
	held: WeakMap<AppSocket, LiveEvent[]>;
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

/** Sends one event, as `shown` cut it for the socket's viewer. */
function send(socket: AppSocket, event: LiveEvent): void {
	socket.emit('event', { ...event, prev: advance(socket, event.seq) });
}

/** Moves the socket's chain on to `seq`; the seq sent before it, which the event names as `prev`. */
function advance(socket: AppSocket, seq: number): number | null {
	const prev = socket.data.sent ?? null;
	socket.data.sent = Math.max(prev ?? 0, seq);
	return prev;
}

/**
 * What a socket may have waiting to be written before it is let go: packets engine.io holds for
 * it, and bytes its websocket has handed to the TCP socket that the client has not read. A
 * client that stopped reading would otherwise hold its whole backlog in this process until its
 * ping times out (45 s of every event). Let go, it reconnects on its own and replays from its
 * last seq once it reads again.
 */
// set by `attachSocket` in one copy of this module, read by `emit` in the other: one for both
const BACKLOG = Symbol.for('hcc.io.backlog');
const backlogHolder = globalThis as unknown as Record<symbol, { packets: number; bytes: number } | undefined>;
const limits = () => (backlogHolder[BACKLOG] ??= { packets: 5_000, bytes: 16 * 2 ** 20 });

function overloaded(socket: AppSocket, backlog: { packets: number; bytes: number }): boolean {
	const conn = socket.conn as unknown as { writeBuffer?: unknown[]; transport?: { socket?: { bufferedAmount?: number } } };
	return (conn.writeBuffer?.length ?? 0) > backlog.packets || (conn.transport?.socket?.bufferedAmount ?? 0) > backlog.bytes;
}

/** Closes a socket's connection at once, its backlog with it; the client sees a transport close and reconnects. */
function letGo(socket: AppSocket): void {
	const ws = (socket.conn as unknown as { transport?: { socket?: { terminate?: () => void } } }).transport?.socket;
	if (typeof ws?.terminate === 'function') ws.terminate();
	else socket.conn.close();
}

/**
 * Sends one event to the sockets subscribed to any region on its path, each as its viewer may
 * see it (`shown`): worked out once per kind of viewer (`readerKey`), not per socket.
 */
export function emit(event: StoredEvent): void {
	const state = live();
	state.through = Math.max(state.through ?? 0, event.seq);
	const io = socketServer();
	if (!io) return;
	const rooms = pathCodes(event.path).map((code) => `region:${code}`);
	const team = (event.payload as { team?: unknown }).team;
	if (event.sealed && typeof team === 'string') rooms.push(teamRoom(team));
	// the adapter's rooms are this node's own sockets: every node sends to its own
	const ids = new Set<string>();
	for (const room of rooms) for (const id of io.sockets.adapter.rooms.get(room) ?? []) ids.add(id);
	const copies = new Map<string, LiveEvent | null>();
	// sockets that see the same copy and follow the same stream name the same `prev`: each such
	// group gets one broadcast, so the packet is encoded once for all of them instead of once per socket
	const groups = new Map<string, { copy: LiveEvent; prev: number | null; ids: string[] }>();
	const backlog = limits();
	for (const id of ids) {
		const socket = io.sockets.sockets.get(id);
		if (!socket) continue;
		const key = socket.data.readerKey;
		let copy = copies.get(key);
		if (copy === undefined) copies.set(key, (copy = shown(socket.data.reader, event)));
		if (copy === null) continue;
		if (overloaded(socket, backlog)) {
			letGo(socket);
			continue;
		}
		const held = state.held.get(socket);
		if (held) {
			held.push(copy);
			continue;
		}
		const prev = advance(socket, event.seq);
		const group = `${key}#${prev}`;
		const found = groups.get(group);
		if (found) found.ids.push(id);
		else groups.set(group, { copy, prev, ids: [id] });
	}
	// every socket is in the room named by its id; `local`: the other nodes send to their own
	for (const { copy, prev, ids: group } of groups.values()) io.local.to(group).emit('event', { ...copy, prev });
}

interface WebSocketTransport {
	name: string;
	send(packets: unknown[]): void;
	socket?: { _socket?: Writable };
}

/**
 * engine.io sends a socket's waiting packets together (everything emitted while its previous
 * write was on its way), but as one websocket frame and one system call each. Corked around
 * that send, the frames leave in one write: under load, an event and its `indicators.changed`
 * (or more) reach each client in one system call instead of one per message.
 */
function batchWrites(transport: unknown): void {
	const ws = transport as WebSocketTransport;
	const tcp = ws.socket?._socket;
	if (ws.name !== 'websocket' || !tcp || typeof tcp.cork !== 'function') return;
	const send = ws.send.bind(ws);
	ws.send = (packets) => {
		if (packets.length < 2) return send(packets);
		tcp.cork();
		try {
			send(packets);
		} finally {
			tcp.uncork();
		}
	};
}

export interface SocketOptions {
	/** several app nodes share the fan-out through Redis */
	redisUrl?: string;
	redisPrefix?: string;
	/** packets a socket may have waiting before it is let go (SOCKET_MAX_BACKLOG) */
	maxBacklog?: number;
}

/** Attaches the one socket.io server to an HTTP server; used by `server/index.ts` and the Vite plugin. */
export async function attachSocket(httpServer: HttpServer, options: SocketOptions = {}): Promise<Io> {
	if (options.maxBacklog) limits().packets = options.maxBacklog;
	const io: Io = new Server(httpServer, {
		path: '/socket.io',
		serveClient: false,
		// SvelteKit's origin check does not cover the handshake
		allowRequest: (request, callback) => callback(null, sameOrigin(headersOf(request), ownOrigin(request), allowedOrigins))
	});
	// engine.io answers its own HTTP requests (polling, the handshake): the headers every answer carries
	io.engine.on('headers', (headers: Record<string, string>) => {
		for (const [name, value] of ALWAYS) headers[name] = value;
	});
	io.use(async (socket, next) => {
		try {
			const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
			const viewer = token ? await kioskViewer(token) : await sessionViewer(cookie(socket.request, SESSION_COOKIE));
			if (!viewer) return next(new Error('unauthenticated'));
			socket.data.viewer = viewer;
			socket.data.reader = readerOf(viewer);
			socket.data.readerKey = readerKey(socket.data.reader);
			next();
		} catch {
			next(new Error('unavailable'));
		}
	});
	io.on('connection', (socket) => {
		batchWrites(socket.conn.transport);
		socket.conn.on('upgrade', batchWrites);
		const viewer = socket.data.viewer;
		void socket.join(personalRoom(viewer));
		if (viewer.kind === 'user' && viewer.role === 'inspector' && viewer.team) void socket.join(teamRoom(viewer.team));
		socket.emit('hello', { version: VERSION, time: new Date().toISOString() });
		socket.on('subscribe', (request, ack) => {
			if (typeof ack !== 'function') return;
			void subscribe(socket, request).then(ack);
		});
	});
	holder[KEY] = io;
	if (options.redisUrl) {
		const cluster = await joinCluster(io, options.redisUrl, options.redisPrefix ?? 'hcc', wake);
		setCluster(cluster);
		httpServer.once('close', () => void cluster.close());
	}
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
