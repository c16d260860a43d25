import { z } from 'zod';
import { sql, type Db } from '../db';
import { ApiError } from '../http/errors';
import { audit } from './audit';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords';
import { ROLES, type Role, type Viewer } from './viewer';

export const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,39}$/, '用户名为2–40位小写字母、数字、点、横线或下划线');
export const password = z.string().min(MIN_PASSWORD_LENGTH, `密码至少${MIN_PASSWORD_LENGTH}位`).max(200);

export const userInput = z.object({
	username,
	password,
	role: z.enum(ROLES),
	scope: z.string().max(40)
});
export type UserInput = z.infer<typeof userInput>;

/** Which levels of region each role may be scoped to (inspectors are scoped to a team). */
const LEVEL_NAMES: Record<string, string> = { province: '省', city: '市', county: '县' };

const SCOPE_LEVELS: Record<Exclude<Role, 'inspector'>, string[]> = {
	leader: ['province', 'city'],
	dispatcher: ['province'],
	admin: ['province'],
	county_officer: ['county']
};

/** Checks that `scope` suits `role`; returns the columns to store. */
async function scopeColumns(db: Db, role: Role, scope: string) {
	if (role === 'inspector') {
		const [team] = await db`select id from team where id = ${scope}`;
		if (!team) throw new ApiError(422, 'invalid_scope', '检查组不存在', [{ field: 'scope', message: '检查组不存在' }]);
		return { scope_region: null, scope_team: scope };
	}
	const [region] = await db`select level from region where code = ${scope}`;
	if (!region || !SCOPE_LEVELS[role].includes(region.level)) {
		throw new ApiError(422, 'invalid_scope', '该角色的管辖范围不正确', [{ field: 'scope', message: `应为${SCOPE_LEVELS[role].map((l) => LEVEL_NAMES[l]).join('或')}级地区代码` }]);
	}
	return { scope_region: scope, scope_team: null };
}

const publicColumns = (db: Db) => db`id, username, role, scope_region, scope_team, disabled, demo, created_at`;

export async function createUser(actor: Viewer | null, input: UserInput, { demo = false }: { demo?: boolean } = {}, db: Db = sql) {
	const hash = await hashPassword(input.password);
	const run = async (tx: Db) => {
		const scope = await scopeColumns(tx, input.role, input.scope);
		const [taken] = await tx`select 1 from app_user where username = ${input.username}`;
		if (taken) throw new ApiError(409, 'username_taken', '用户名已被使用', [{ field: 'username', message: '用户名已被使用' }]);
		const [user] = await tx`
			insert into app_user (username, password_hash, role, scope_region, scope_team, demo)
			values (${input.username}, ${hash}, ${input.role}, ${scope.scope_region}, ${scope.scope_team}, ${demo})
			returning ${publicColumns(tx)}
		`;
		await audit(tx, actor, { action: 'create', entity: 'user', entityId: user.id, after: { username: user.username, role: user.role, scope: input.scope } });
		return user;
	};
	return 'begin' in db ? (db as typeof sql).begin(run) : run(db);
}

export const userChange = z.object({
	role: z.enum(ROLES).optional(),
	scope: z.string().max(40).optional(),
	disabled: z.boolean().optional(),
	password: password.optional()
});
export type UserChange = z.infer<typeof userChange>;

/** Changes role and scope, enables or disables, or resets the password; ends the user's sessions. */
export async function changeUser(actor: Viewer, id: number, change: UserChange) {
	const hash = change.password ? await hashPassword(change.password) : null;
	return sql.begin(async (tx) => {
		const [before] = await tx`select ${publicColumns(tx)} from app_user where id = ${id} for update`;
		if (!before) throw new ApiError(404, 'not_found', '没有该用户');
		if (actor.kind === 'user' && actor.id === id && (change.disabled || (change.role && change.role !== 'admin'))) {
			throw new ApiError(422, 'own_account', '不能停用自己的账号或取消自己的管理员角色');
		}
		const role = change.role ?? before.role;
		const scopeGiven = change.scope ?? (role === 'inspector' ? before.scope_team : before.scope_region);
		const scope = change.role || change.scope ? await scopeColumns(tx, role, scopeGiven ?? '') : { scope_region: before.scope_region, scope_team: before.scope_team };
		const [after] = await tx`
			update app_user set role = ${role}, scope_region = ${scope.scope_region}, scope_team = ${scope.scope_team},
				disabled = ${change.disabled ?? before.disabled},
				password_hash = coalesce(${hash}, password_hash)
			where id = ${id}
			returning ${publicColumns(tx)}
		`;
		const sessions = await tx`delete from user_session where user_id = ${id} returning id`;
		const summary = (u: typeof before) => ({ role: u.role, scope: u.scope_region ?? u.scope_team, disabled: u.disabled });
		await audit(tx, actor, {
			action: hash ? 'reset_password' : 'update',
			entity: 'user',
			entityId: id,
			before: summary(before),
			after: { ...summary(after), ...(hash ? { password: 'changed' } : {}) }
		});
		return { user: after, endedSessions: sessions.map((s) => s.id as string) };
	});
}

export async function listUsers() {
	return sql`
		select u.id, u.username, u.role, u.scope_region, u.scope_team, coalesce(r.name, t.name) as scope_name, u.disabled, u.demo, u.created_at
		from app_user u left join region r on r.code = u.scope_region left join team t on t.id = u.scope_team
		order by u.username
	`;
}

export async function findLogin(name: string) {
	const [row] = await sql`select id, username, role, password_hash, disabled from app_user where username = ${name.toLowerCase()}`;
	return row as { id: number; username: string; role: Role; password_hash: string; disabled: boolean } | undefined;
}
