import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/scope';
import { mediaType } from '$lib/server/http/body';
import { ApiError, errorResponse, notFound, route } from '$lib/server/http/errors';
import { query } from '$lib/server/http/params';
import { JOB_ID } from '$lib/server/imports/jobs';
import { ImportRefused, runImport, SPECS } from '$lib/server/imports/run';
import { Upload } from '$lib/server/imports/upload';
import { IMPORT_KINDS, type ImportKind } from '$lib/types/imports';
import type { RequestHandler } from './$types';

const params = z.object({
	dry_run: z.enum(['0', '1', 'true', 'false']).optional(),
	job: z.string().regex(JOB_ID, '任务编号应为8–64位字母、数字或横线').optional(),
	// the file's name as the uploader's computer called it, for the history
	name: z.string().max(200, '文件名最多200个字符').optional()
});

const isKind = (kind: string): kind is ImportKind => (IMPORT_KINDS as readonly string[]).includes(kind);

/**
 * An office's file of villages, facilities, patients or problems, as the request body (CSV,
 * .xlsx or GeoJSON, told apart by content): all of it or none (SPEC §5). With `?dry_run=1` it
 * is checked and counted, not written.
 */
export const POST: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const kind = event.params.kind;
	if (!isKind(kind)) throw notFound('record');
	if (mediaType(event.request).startsWith('multipart/')) {
		throw new ApiError(415, 'unsupported_media_type', '请把文件本身作为请求体上传（不要用表单 multipart 格式）');
	}
	const q = query(event.url, params);
	const fileName = q.name?.replace(/[\u0000-\u001f\u007f]/g, '').trim() || null;
	const upload = new Upload(event.request, SPECS[kind].limit);
	let response: Response;
	try {
		response = json(await runImport(admin, { kind, upload, dryRun: q.dry_run === '1' || q.dry_run === 'true', job: q.job, fileName }));
	} catch (error) {
		if (error instanceof ImportRefused) {
			const body = { code: error.code, message: error.message, details: error.details, total: error.total, job: error.job, errors_csv: `/api/imports/jobs/${error.job}/errors.csv` };
			response = json({ error: body }, { status: 422 });
		} else response = errorResponse(error);
	}
	// the rest of a body answered before it was read is left unread: no client may reuse the connection
	if (!upload.complete) response.headers.set('connection', 'close');
	return response;
});
