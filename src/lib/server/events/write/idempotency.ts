import { createHash } from 'node:crypto';
import { ApiError } from '../../http/errors';

/** JSON with every object's keys in sorted order: one text for a body however its keys came. */
function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
		return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/**
 * What an `Idempotency-Key` is bound to: who sent the write, what it is (the endpoint's kind of
 * write: an event type, a team's photo) and its body in canonical form, as a digest.
 */
export function requestDigest(who: string, write: string, body: unknown): string {
	return createHash('sha256').update(canonical([who, write, body])).digest('hex');
}

/**
 * Refuses a write under a key already used for another request; a true retry (the same digest)
 * passes and is answered with the first write's result. A write stored before keys were bound
 * (no digest) is taken as the same request.
 */
export function checkRetry(stored: string | null, digest: string): void {
	if (stored !== null && stored !== digest) {
		throw new ApiError(422, 'idempotency_key_reused', '该 Idempotency-Key 已用于另一个请求：重试请原样重发，新的请求请使用新的 Idempotency-Key');
	}
}
