// What the fault tests need from a server they start themselves (the shared helpers read the
// suite-wide server through vitest's inject).
import { io, type Socket } from 'socket.io-client';
import type { LiveEvent } from '../../src/lib/types/events';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/lib/types/socket';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function login(baseUrl: string, username: string, password = 'demo-password'): Promise<string> {
	const res = await fetch(`${baseUrl}/api/auth/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username, password })
	});
	if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
	return res.headers.getSetCookie().find((c) => c.startsWith('session='))!.split(';')[0];
}

export interface Answer {
	status: number;
	body: any;
	ms: number;
}

/** A request that always settles: a status, or 0 when no answer came (refused, reset, or over `timeoutMs`). */
export async function request(baseUrl: string, path: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Answer> {
	const started = performance.now();
	try {
		const res = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
		const text = await res.text();
		let body: unknown = text;
		try {
			body = JSON.parse(text);
		} catch {
			// not JSON
		}
		return { status: res.status, body, ms: performance.now() - started };
	} catch (error) {
		return { status: 0, body: (error as Error).name, ms: performance.now() - started };
	}
}

export function postEvent(baseUrl: string, cookie: string, facility: string, doctors: number, key: string) {
	return request(baseUrl, '/api/events', {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie, 'idempotency-key': key },
		body: JSON.stringify({ type: 'facility.updated', payload: { facility, doctors } })
	});
}

/** Many facility updates in one `POST /api/events/batch`, each with its own key; the seqs of those applied. */
export async function postEvents(baseUrl: string, cookie: string, items: { facility: string; doctors: number; key: string }[]): Promise<number[]> {
	const answer = await request(baseUrl, '/api/events/batch', {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ events: items.map(({ facility, doctors, key }) => ({ type: 'facility.updated', payload: { facility, doctors }, key })) })
	});
	const results = answer.status === 200 ? ((answer.body as { items: { seq?: number }[] }).items ?? []) : [];
	return results.flatMap((item) => (typeof item.seq === 'number' ? [item.seq] : []));
}

/**
 * A socket subscribed to `region` from `after`; every event it receives lands in `received`.
 * `batch`: it takes `events` messages (as the pages do), and `onEvent` sees each of their events.
 */
export async function subscriber(
	baseUrl: string,
	cookie: string,
	region: string,
	after: number | undefined,
	received: LiveEvent[],
	{ batch = false, onEvent }: { batch?: boolean; onEvent?: (event: LiveEvent) => void } = {}
): Promise<ClientSocket> {
	const socket: ClientSocket = io(baseUrl, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
	const take = (event: LiveEvent) => (received.push(event), onEvent?.(event));
	socket.on('event', take);
	socket.on('events', (message) => message.events.forEach(take));
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', () => resolve());
		socket.once('connect_error', reject);
	});
	const ack = await socket.timeout(30_000).emitWithAck('subscribe', batch ? { region, after, batch } : { region, after });
	if (!ack.ok) throw new Error(`subscribe: ${JSON.stringify(ack)}`);
	return socket;
}

/** Waits until `received` holds an event with seq ≥ `seq` (the replay follows the ack). */
export async function receivedUpTo(received: LiveEvent[], seq: number, timeoutMs = 10_000): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!received.some((e) => e.seq >= seq) && Date.now() < until) await sleep(20);
}

/** Runs `writer` in `n` loops until `stop()` is called. */
export function loops(n: number, writer: (loop: number, i: number) => Promise<void>) {
	let running = true;
	const done = Promise.all(
		Array.from({ length: n }, async (_, loop) => {
			for (let i = 0; running; i++) await writer(loop, i);
		})
	);
	return {
		async stop() {
			running = false;
			await done;
		}
	};
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process in MB, from /proc. */
export async function rssMb(pid: number): Promise<number> {
	const { readFile } = await import('node:fs/promises');
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}
