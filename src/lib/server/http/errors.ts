import { json } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { renewPool, unreachableSince } from '../db';

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

export function errorResponse(error: unknown): Response {
	if (error instanceof ApiError) {
		const body = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
		// a body refused unread leaves the connection with bytes in flight: no client may reuse it
		return json({ error: body }, { status: error.status, headers: error.status === 413 ? { connection: 'close' } : {} });
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

/** Wraps a route handler so that every failure leaves as the contract's error shape. */
export function route<E extends { request: Request }>(handler: (event: E) => Promise<Response> | Response) {
	return async (event: E): Promise<Response> => {
		try {
			return await unlessStuck(event.request, Promise.resolve(handler(event)));
		} catch (error) {
			return errorResponse(error);
		}
	};
}
