import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from '$lib/types/socket';
import type { LiveEvent } from '$lib/types/events';
import type { Viewer } from '../../auth/viewer';
import type { Reader } from '../log';

/** What arrives live for a socket during its replay, as its viewer sees it, held until the replay has gone out. */
export interface Held {
	events: LiveEvent[];
	/** the last seq of the batches held (what an `events` message of them stands for) */
	through: number | null;
}

export interface SocketData {
	viewer: Viewer;
	/** what of each event the viewer may see (`shown`), and the key of receivers who see the same */
	reader: Reader;
	readerKey: string;
	/** the highest seq sent on this socket: each message names it as `prev`, so clients see gaps */
	sent?: number;
	/** `events` messages, one per commit batch: the latest subscription asked for them (`batch: true`) */
	batch?: boolean;
	held?: Held;
	/** events sent in messages engine.io has not yet handed to the websocket (`backlog.ts`) */
	waiting?: number;
	/** the socket's subscriptions run one at a time: the last of them */
	subscribing?: Promise<void>;
}

export type Io = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const regionRoom = (code: string) => `region:${code}`;
/** An inspector's sockets also hear their own team's (sealed) events, placed at the province. */
export const teamRoom = (team: string) => `team:${team}`;
/** Rooms that let the server reach a viewer's sockets to cut them (logout, revoked token). */
export const sessionRoom = (id: string) => `session:${id}`;
export const kioskRoom = (id: number) => `kiosk:${id}`;
export const personalRoom = (viewer: Viewer) => (viewer.kind === 'kiosk' ? kioskRoom(viewer.id) : sessionRoom(viewer.sessionId));
