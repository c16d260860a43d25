import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/scope';
import { POSTERS, postEvents, type BatchItem } from '$lib/server/events/write/post';
import { IDEMPOTENCY_KEY, postedEvent } from '$lib/server/events/types';
import { body } from '$lib/server/http/body';
import { ApiError, errorResponse, route } from '$lib/server/http/errors';
import type { RequestHandler } from './$types';

/** The most events one batch may carry. */
const BATCH_ITEMS = 500;

// the contract names an item's idempotency key `key`; `idempotency_key` is taken as the same field
const keyed = z
	.object({ key: IDEMPOTENCY_KEY.nullish(), idempotency_key: IDEMPOTENCY_KEY.nullish() })
	.refine((item) => item.key == null || item.idempotency_key == null || item.key === item.idempotency_key, {
		message: 'key 与 idempotency_key 不一致',
		path: ['key']
	});

/** An item as `POST /api/events` would take it, or its refusal: 422 with the fields named as in a single post. */
function parseItem(raw: unknown): BatchItem {
	const key = keyed.safeParse(raw);
	const event = postedEvent.safeParse(raw);
	const issues = [...(key.success ? [] : key.error.issues), ...(event.success ? [] : event.error.issues)];
	if (!key.success || !event.success) {
		const details = issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
		return { refused: new ApiError(422, 'invalid_fields', '字段校验未通过', details) };
	}
	return { input: event.data, idempotencyKey: key.data.key ?? key.data.idempotency_key ?? null };
}

/** What an item's write answered: its seq, or its error as a single post would have answered it. */
async function answerOf(result: PromiseSettledResult<{ seq: number; repeated: boolean }>) {
	if (result.status === 'fulfilled') return { seq: result.value.seq, repeated: result.value.repeated };
	const response = errorResponse(result.reason);
	const { error } = (await response.json()) as { error: { code: string; message: string; details?: unknown } };
	return { error };
}

/**
 * Many progress events at once, `{ events: [{ type, payload, key? }…] }` (an offline phone's
 * queue, an integration; each key an Idempotency-Key): each item is applied or refused on its
 * own, as `POST /api/events` would, and answered in the items' order in `items`.
 */
export const POST: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, ...POSTERS);
	const envelope = await body(event.request, z.unknown());
	const items = (envelope as { events?: unknown } | null)?.events;
	if (!Array.isArray(items) || !items.length || typeof envelope !== 'object' || Array.isArray(envelope)) {
		throw new ApiError(400, 'invalid_batch', '请求体应为 { events: [...] }，至少一个事件');
	}
	if (items.length > BATCH_ITEMS) throw new ApiError(413, 'batch_too_large', `一次最多提交 ${BATCH_ITEMS} 个事件`);
	const results = await postEvents(viewer, items.map(parseItem));
	return json({ items: await Promise.all(results.map(answerOf)) });
});
