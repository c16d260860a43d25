import { requireRole } from '$lib/server/auth/scope';
import { sql } from '$lib/server/db';
import { csvLine, csvResponse } from '$lib/server/exports/csv';
import { notFound, route } from '$lib/server/http/errors';
import { jobErrors, readJob } from '$lib/server/imports/jobs';
import { IMPORT_COLUMNS } from '$lib/types/imports';
import type { RequestHandler } from './$types';

/** Every error of a refused import as CSV (行号, 列, 说明), for its own uploader, kept for a day. */
export const GET: RequestHandler = route(async (event) => {
	const admin = requireRole(event, 'admin');
	const job = await readJob(sql, event.params.id, admin.id);
	if (!job) throw notFound('record');
	const names = new Map(IMPORT_COLUMNS[job.kind].map((c) => [c.key, c.zh]));
	const rows = jobErrors(sql, job.job).cursor(1000);
	async function* lines() {
		yield csvLine(['行号', '列', '列名', '说明']);
		for await (const batch of rows) for (const e of batch) yield csvLine([e.row, names.get(e.field) ?? e.field, e.field, e.message]);
	}
	return csvResponse(lines(), `导入错误-${job.job.slice(0, 8)}.csv`);
});
