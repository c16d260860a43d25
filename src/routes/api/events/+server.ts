import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { regionInScope, requireRole, requireViewer } from '$lib/server/auth/scope';
import { eventsAfter, readerOf, seen } from '$lib/server/events/log';
import { POSTERS, postEvent } from '$lib/server/events/write/post';
import { IDEMPOTENCY_KEY, postedEvent } from '$lib/server/events/types';
import { sql } from '$lib/server/db';
import { body } from '$lib/server/http/body';
import { ApiError, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import type { RequestHandler } from './$types';

const params = z.object({
	region: z.string(),
	after: z.coerce.number().int().min(0).default(0),
	limit: z.coerce.number().int().min(1).max(1_000).default(500)
});

/** The replay the socket uses: events in `region` after `after`, in seq order. */
export const GET: RequestHandler = route(async (event) => {
	const { region: code, after, limit } = query(event.url, params);
	const region = await regionInScope(event, code);
	const reader = readerOf(requireViewer(event));
	const { items, total } = await eventsAfter(sql, { region, after, limit }, reader);
	return json({ items: seen(reader, items), total });
});

/** A progress event from the field: `{ type, payload }`; the region comes from the subject. */
export const POST: RequestHandler = route(async (event) => {
	// who may post is settled before the body is read: a leader learns nothing from a 422
	const viewer = requireRole(event, ...POSTERS);
	const header = event.request.headers.get('idempotency-key');
	const key = header === null ? null : IDEMPOTENCY_KEY.safeParse(header);
	if (key && !key.success) {
		throw new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field: 'Idempotency-Key', message: key.error.issues[0].message }]);
	}
	const input = await body(event.request, postedEvent);
	// a retry gets the first answer again
	const { seq } = await postEvent(viewer, input, key ? key.data : null);
	return json({ seq }, { status: 201 });
});
