import { fail } from '@sveltejs/kit';
import type { KioskTokenRow } from '$lib/components/admin/types';
import { createKioskToken, kioskTokenInput as tokenInput, listKioskTokens, revokeKioskToken } from '$lib/server/auth/kiosk';
import { disconnectKiosk } from '$lib/server/events/socket/server';
import { formFields, invalid, refused, rowId } from '../form.server';
import { readForm } from '$lib/server/http/form';
import { requireAdmin } from '../guard.server';
import type { Actions, PageServerLoad } from './$types';


export const load: PageServerLoad = async (event) => {
	const admin = requireAdmin(event);
	const rows = await listKioskTokens(admin);
	const tokens: KioskTokenRow[] = rows.map((row) => ({
		id: row.id,
		name: row.name,
		region: row.region,
		regionName: row.region_name,
		createdBy: row.created_by,
		createdAt: row.created_at,
		revokedAt: row.revoked_at
	}));
	return { tokens };
};

export const actions: Actions = {
	create: async (event) => {
		const admin = requireAdmin(event);
		const values = formFields(await readForm(event.request), ['name', 'region']);
		const parsed = tokenInput.safeParse(values);
		if (!parsed.success) return invalid(parsed.error, { form: 'create', values });
		try {
			const { id, token } = await createKioskToken(admin, parsed.data.name, parsed.data.region);
			// the only time the token leaves the server: it is stored as a digest
			return { form: 'create', ok: true, message: `已创建大屏令牌「${parsed.data.name}」`, created: { id, token, name: parsed.data.name } };
		} catch (error) {
			return refused(error, { form: 'create', values });
		}
	},

	revoke: async (event) => {
		const admin = requireAdmin(event);
		const id = rowId(await readForm(event.request));
		if (id === null) return fail(400, { form: 'revoke', message: '缺少令牌编号' });
		if (!(await revokeKioskToken(admin, id))) return fail(404, { form: 'revoke', id, message: '该令牌不存在或已吊销' });
		disconnectKiosk(id);
		return { form: 'revoke', id, ok: true, message: '令牌已吊销，使用它的大屏已断开' };
	}
};
