import { fail } from '@sveltejs/kit';
import type { AdminUser } from '$lib/components/admin/types';
import { changeDetails, changeUser, createUser, detailsChange, listUsers, userChange, userInput } from '$lib/server/auth/users';
import { ROLES, type Viewer } from '$lib/server/auth/viewer';
import { disconnectSessions } from '$lib/server/events/socket/server';
import { formFields, invalid, refused, rowId } from './form.server';
import { readForm } from '$lib/server/http/form';
import { requireAdmin } from './guard.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const admin = requireAdmin(event);
	const rows = await listUsers(admin);
	const users: AdminUser[] = rows.map((row) => ({
		id: row.id,
		username: row.username,
		role: row.role,
		scope: row.scope_region ?? row.scope_team,
		scopeName: row.scope_name,
		disabled: row.disabled,
		demo: row.demo,
		createdAt: row.created_at,
		fullName: row.full_name,
		unit: row.unit,
		phone: row.phone
	}));
	return { users, roles: [...ROLES] };
};

/** Validates one change to user `id` and applies it; sockets of the sessions it ended are cut. */
async function change(admin: Viewer, form: string, data: FormData, raw: Record<string, unknown>, done: string) {
	const id = rowId(data);
	if (id === null) return fail(400, { form, message: '缺少用户编号' });
	const parsed = userChange.safeParse(raw);
	if (!parsed.success) return invalid(parsed.error, { form, id });
	try {
		const { user, endedSessions } = await changeUser(admin, id, parsed.data);
		disconnectSessions(endedSessions);
		return { form, id, ok: true, message: `${user.username}：${done}` };
	} catch (error) {
		return refused(error, { form, id });
	}
}

export const actions: Actions = {
	create: async (event) => {
		const admin = requireAdmin(event);
		const fields = formFields(await readForm(event.request), ['username', 'role', 'scope', 'password', 'full_name', 'unit', 'phone']);
		const { password: _password, ...values } = fields;
		const parsed = userInput.safeParse(fields);
		if (!parsed.success) return invalid(parsed.error, { form: 'create', values });
		try {
			const user = await createUser(admin, parsed.data);
			return { form: 'create', ok: true, message: `已创建用户 ${user.username}` };
		} catch (error) {
			return refused(error, { form: 'create', values });
		}
	},

	update: async (event) => {
		const admin = requireAdmin(event);
		const data = await readForm(event.request);
		const { role, scope } = formFields(data, ['role', 'scope']);
		// an admin who demoted themselves could not undo it
		if (rowId(data) === admin.id && role !== undefined && role !== 'admin') {
			return fail(409, { form: 'update', id: admin.id, message: '不能修改自己的角色', fields: { role: '不能修改自己的角色' } });
		}
		return change(admin, 'update', data, { role, scope }, '角色与管辖范围已更新');
	},

	toggle: async (event) => {
		const admin = requireAdmin(event);
		const data = await readForm(event.request);
		const disabled = data.get('disabled') === 'true';
		if (disabled && rowId(data) === admin.id) return fail(409, { form: 'toggle', id: admin.id, message: '不能禁用当前登录的账号' });
		return change(admin, 'toggle', data, { disabled }, disabled ? '已禁用' : '已启用');
	},

	details: async (event) => {
		const admin = requireAdmin(event);
		const data = await readForm(event.request);
		const id = rowId(data);
		if (id === null) return fail(400, { form: 'details', message: '缺少用户编号' });
		// a field left blank clears it
		const parsed = detailsChange.safeParse(formFields(data, ['full_name', 'unit', 'phone']));
		if (!parsed.success) return invalid(parsed.error, { form: 'details', id });
		try {
			const user = await changeDetails(admin, id, parsed.data);
			return { form: 'details', id, ok: true, message: `${user.username}：姓名、单位和电话已保存` };
		} catch (error) {
			return refused(error, { form: 'details', id });
		}
	},

	password: async (event) => {
		const admin = requireAdmin(event);
		const data = await readForm(event.request);
		const { password } = formFields(data, ['password']);
		if (!password) return fail(422, { form: 'password', id: rowId(data) ?? undefined, message: '请输入新密码', fields: { password: '请输入新密码' } });
		return change(admin, 'password', data, { password }, '密码已重置，其登录会话已结束');
	}
};
