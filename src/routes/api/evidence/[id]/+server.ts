import { requireViewer } from '$lib/server/auth/scope';
import { ApiError, route } from '$lib/server/http/errors';
import { PROBLEM_ID, problemInScope } from '$lib/server/problems/access';
import { evidenceById } from '$lib/server/problems/evidence';
import type { RequestHandler } from './$types';

const missing = () => new ApiError(404, 'not_found', '没有找到该材料');

/** A stored evidence file, only to those who may read its problem; never by a path. */
export const GET: RequestHandler = route(async (event) => {
	requireViewer(event);
	const file = PROBLEM_ID.test(event.params.id) ? await evidenceById(Number(event.params.id)) : null;
	if (!file) throw missing();
	try {
		await problemInScope(event, file.problem);
	} catch (error) {
		// a file of a problem out of scope is as missing as one that never was
		if (error instanceof ApiError && error.status === 404) throw missing();
		throw error;
	}
	return new Response(file.content as BodyInit, {
		headers: {
			'content-type': file.type,
			'content-length': String(file.size),
			'content-disposition': `inline; filename="evidence"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
			// the bytes are shown as what their content was checked to be, and run nothing
			'x-content-type-options': 'nosniff',
			'content-security-policy': "default-src 'none'; sandbox",
			'cache-control': 'private, no-store'
		}
	});
});
