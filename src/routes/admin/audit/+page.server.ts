import { z } from 'zod';
import type { AuditRow } from '$lib/components/admin/types';
import { auditFilters, auditLog } from '$lib/server/auth/audit';
import { sql } from '$lib/server/db';
import { requireAdmin } from '../guard.server';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 100;

const filters = auditFilters.extend({
	page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1)
});

export const load: PageServerLoad = async (event) => {
	requireAdmin(event);
	// the GET form sends its blank fields too: a blank field is no filter
	const raw = Object.fromEntries([...event.url.searchParams].map(([key, value]) => [key, value.trim()]).filter(([, value]) => value !== ''));
	const filter = { actor: raw.actor ?? '', entity: raw.entity ?? '', action: raw.action ?? '', from: raw.from ?? '', to: raw.to ?? '' };
	const parsed = filters.safeParse(raw);
	if (!parsed.success) {
		const errors = Object.fromEntries(parsed.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
		return { filter, errors, items: [] as AuditRow[], total: 0, page: 1, pageSize: PAGE_SIZE };
	}
	const { page, ...f } = parsed.data;
	const { items, total } = await auditLog(sql, { ...f, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
	return { filter, errors: {} as Record<string, string>, items: items as AuditRow[], total, page, pageSize: PAGE_SIZE };
};
