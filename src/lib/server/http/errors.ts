import { json } from '@sveltejs/kit';
import { z, ZodError } from 'zod';
import { renewPool, unreachableSince } from '../db';
import { currentWork, requestWork, runAsRequest, type RequestWork } from '../db/request-context';
import { ReadAbandoned, reads, shareKey } from './read-gate';

// a schema's own messages (a field missing, a number too large) in the product's language
z.config(z.locales.zhCN());

export interface ErrorDetail {
	row?: number;
	field?: string;
	message: string;
}

/** A failure the caller can act on: answered as `{ error: { code, message, details? } }`. */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details?: ErrorDetail[]
	) {
		super(message);
	}
}

export const notFound = (what = 'region') => new ApiError(404, 'not_found', `没有找到该${what === 'region' ? '地区' : '记录'}`);

const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_ENDED', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P03']);

/** True when the database cannot be reached, as opposed to a query that failed. */
export function isUnavailable(error: unknown): boolean {
	const code = (error as { code?: string } | null)?.code;
	return typeof code === 'string' && UNAVAILABLE.has(code);
}

/** A statement cancelled: by its request's time limit or its caller leaving (see db/request-context), or by statement_timeout. */
const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code;
const isCancelled = (error: unknown) => codeOf(error) === '57014';

const tooBusy = () => new ApiError(503, 'timeout', '查询超时：请缩小查询范围，或稍后重试');

export function errorResponse(error: unknown): Response {
	if (codeOf(error) === 'too_many_reads') {
		const body = { code: 'too_many_requests', message: '同一会话同时发出的请求过多，请等前面的请求完成后再试' };
		return json({ error: body }, { status: 429, headers: { 'retry-after': '1' } });
	}
	if (isCancelled(error)) error = tooBusy();
	if (error instanceof ApiError) {
		const body = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
		// a body refused unread leaves the connection with bytes in flight: no client may reuse it
		const headers: Record<string, string> = error.status === 413 ? { connection: 'close' } : error.status === 503 ? { 'retry-after': '5' } : {};
		return json({ error: body }, { status: error.status, headers });
	}
	if (error instanceof ZodError) {
		const details = error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
		return json({ error: { code: 'invalid_request', message: '请求参数不正确', details } }, { status: 400 });
	}
	if (isUnavailable(error)) {
		renewPool();
		return json({ error: { code: 'unavailable', message: '数据库暂时不可用，请稍后重试' } }, { status: 503, headers: { 'retry-after': '5' } });
	}
	// the query text and parameters stay out of the log; the stack says where
	console.error('unexpected error:', (error as Error)?.stack ?? String(error));
	return json({ error: { code: 'internal', message: '服务器内部错误' } }, { status: 500 });
}

/**
 * A request still waiting this long after the database was found unreachable is answered 503:
 * a query on a connection the outage left stuck may never return (see `renewPool`).
 */
const STUCK_MS = 6_000;

class Stuck extends Error {
	readonly code = 'CONNECTION_DESTROYED';
}

/** Rejects after STUCK_MS if the database was unreachable at any time since `started`. */
function whileStuck(started: number, timers: { id?: ReturnType<typeof setTimeout> }): Promise<never> {
	return new Promise((_, reject) => {
		const check = () => {
			if (unreachableSince() >= started - 1_000) reject(new Stuck('database unreachable'));
			else timers.id = setTimeout(check, 1_000);
		};
		timers.id = setTimeout(check, Math.max(0, started + STUCK_MS - Date.now()));
	});
}

// when each request arrived: the hook's session lookup and the route share one allowance
const arrivals = new WeakMap<Request, number>();

/**
 * `work`, or a rejection as unavailable once the request has waited STUCK_MS with the
 * database found unreachable meanwhile. The clock starts when `request` arrived.
 */
export async function unlessStuck<T>(request: Request, work: Promise<T>): Promise<T> {
	if (!arrivals.has(request)) arrivals.set(request, Date.now());
	const timers: { id?: ReturnType<typeof setTimeout> } = {};
	try {
		return await Promise.race([work, whileStuck(arrivals.get(request)!, timers)]);
	} finally {
		clearTimeout(timers.id);
	}
}

const READS = new Set(['GET', 'HEAD']);

/** Rejects once `work` stops (its caller left, or its time ran out). */
function whenStopped(work: RequestWork): Promise<never> {
	return new Promise((_, reject) => {
		const stop = () => reject(work.reason === 'timeout' ? tooBusy() : new ReadAbandoned());
		if (work.signal.aborted) stop();
		else work.signal.addEventListener('abort', stop, { once: true });
	});
}

/**
 * A read: it waits for its viewer's share (`ReadGate`), and once it has taken `timeoutMs` since
 * it arrived it is answered 503 and its queries are cancelled, as they are when its caller leaves.
 */
async function asRead(event: { request: Request; locals?: App.Locals }, work: RequestWork, run: () => Promise<Response>): Promise<Response> {
	const { settings, gate } = reads();
	const timer = setTimeout(() => work.stop('timeout'), settings.timeoutMs);
	const stopped = whenStopped(work);
	stopped.catch(() => {});
	const key = shareKey(event.locals?.viewer);
	let release: (() => void) | undefined;
	try {
		// not raced with `stopped`: a turn given just as the request stops must still be handed back
		if (key) release = await gate.admit(key, work.signal);
		return await Promise.race([run(), stopped]);
	} finally {
		clearTimeout(timer);
		release?.();
	}
}

/** The request's work (set by the server entry for each request; under `vite dev`, made here from the request's signal). */
function workOf(request: Request): RequestWork {
	const current = currentWork();
	if (current) return current;
	const work = requestWork();
	request.signal.addEventListener('abort', () => work.stop('disconnected'), { once: true });
	return work;
}

/**
 * Wraps a route handler so that every failure leaves as the contract's error shape. Reads (GET,
 * HEAD) take their turn in their viewer's share, have a time limit and stop with their caller
 * (`asRead`); writes are left to the write gate and run to their end.
 */
export function route<E extends { request: Request; locals?: App.Locals }>(handler: (event: E) => Promise<Response> | Response) {
	return async (event: E): Promise<Response> => {
		const run = () => unlessStuck(event.request, Promise.resolve(handler(event)));
		try {
			if (!READS.has(event.request.method)) return await run();
			const work = workOf(event.request);
			return await runAsRequest(work, () => asRead(event, work, run));
		} catch (error) {
			return errorResponse(error);
		}
	};
}
