import { inject } from 'vitest';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeAck } from '../../src/lib/types/socket';

export const baseUrl = () => inject('baseUrl');
export const DEMO_PASSWORD = 'demo-password';

export interface Caller {
	cookie?: string;
	bearer?: string;
	/** the address the server sees (the test server trusts X-Forwarded-For) */
	address?: string;
}

export interface CallOptions extends Caller {
	method?: string;
	json?: unknown;
	headers?: Record<string, string>;
}

export async function call(path: string, options: CallOptions = {}) {
	const headers: Record<string, string> = { ...options.headers };
	if (options.cookie) headers.cookie = options.cookie;
	if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
	if (options.address) headers['x-forwarded-for'] = options.address;
	if (options.json !== undefined) headers['content-type'] = 'application/json';
	const res = await fetch(`${baseUrl()}${path}`, {
		method: options.method ?? 'GET',
		headers,
		body: options.json === undefined ? undefined : JSON.stringify(options.json),
		redirect: 'manual'
	});
	const text = await res.text();
	let body: unknown = text;
	if (res.headers.get('content-type')?.includes('json') && text) body = JSON.parse(text);
	return { status: res.status, body: body as any, text, headers: res.headers };
}

export const get = (path: string, caller: Caller = {}) => call(path, caller);

/** Signs in through the API and returns the session cookie to send back. */
export async function login(username: string, password = DEMO_PASSWORD, address = '127.0.0.10'): Promise<string> {
	const res = await fetch(`${baseUrl()}/api/auth/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
		body: JSON.stringify({ username, password })
	});
	if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
	const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='));
	if (!cookie) throw new Error('no session cookie');
	return cookie.split(';')[0];
}

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io client; resolves once connected, rejects with the server's refusal. */
export function connect(caller: Caller & { origin?: string } = {}): Promise<ClientSocket> {
	const extraHeaders: Record<string, string> = {};
	if (caller.cookie) extraHeaders.cookie = caller.cookie;
	if (caller.origin) extraHeaders.origin = caller.origin;
	const socket: ClientSocket = io(baseUrl(), {
		path: '/socket.io',
		transports: ['websocket'],
		extraHeaders,
		auth: caller.bearer ? { token: caller.bearer } : {},
		reconnection: false,
		forceNew: true
	});
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', (error) => {
			socket.close();
			reject(error);
		});
	});
}

/** `batch`: the socket takes `events` messages, one per commit batch, as the pages do. */
export function subscribe(socket: ClientSocket, region: string, after?: number, { batch }: { batch?: boolean } = {}): Promise<SubscribeAck> {
	return socket.timeout(10_000).emitWithAck('subscribe', batch ? { region, after, batch } : { region, after });
}

/** A direct connection to the app server's database, for checking what the API answered. */
export function appDatabase() {
	return postgres(inject('dbUrl'), {
		max: 2,
		onnotice: () => {},
		connection: { TimeZone: 'Asia/Shanghai' },
		types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } }
	});
}
