import { json } from '@sveltejs/kit';
import { database, sql } from '$lib/server/db';
import { VERSION } from '$lib/server/version';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	const kind = database().kind;
	try {
		await sql`select 1`.execute();
		return json({ ok: true, db: kind, version: VERSION });
	} catch {
		return json({ ok: false, db: kind, version: VERSION }, { status: 503, headers: { 'retry-after': '5' } });
	}
};
