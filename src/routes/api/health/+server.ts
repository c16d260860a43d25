import { json } from '@sveltejs/kit';
import { database, sql } from '$lib/server/db';
import { currentWork } from '$lib/server/db/request-context';
import { VERSION } from '$lib/server/version';
import type { RequestHandler } from './$types';

/**
 * How long the check waits for the database. A monitor asks because it needs an answer now:
 * while the database is away the pool's connection attempts (up to `connect_timeout` each) would
 * otherwise hold the check for as long as they take.
 */
const CHECK_MS = 3_000;

/** Whether the database answers `select 1` within CHECK_MS; a check given up on is stopped with its request. */
async function databaseAnswers(): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise<false>((resolve) => {
		timer = setTimeout(() => {
			// a query still queued for a connection is taken out of the queue (see `sql` in db/index)
			currentWork()?.stop('timeout');
			resolve(false);
		}, CHECK_MS);
	});
	try {
		return await Promise.race([sql`select 1`.execute().then(() => true, () => false), late]);
	} finally {
		clearTimeout(timer);
	}
}

export const GET: RequestHandler = async () => {
	const kind = database().kind;
	if (await databaseAnswers()) return json({ ok: true, db: kind, version: VERSION });
	return json({ ok: false, db: kind, version: VERSION }, { status: 503, headers: { 'retry-after': '5' } });
};
