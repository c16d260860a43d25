import { sql } from '$lib/server/db';
import { importHistory } from '$lib/server/imports/history';
import { requireAdmin } from '../guard.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireAdmin(event);
	const history = await importHistory(sql, { limit: 50, offset: 0 });
	return { history, scope: admin.scope ? { code: admin.scope.code, name: admin.scope.name } : { code: '', name: '' } };
};
