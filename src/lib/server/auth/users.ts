import { z } from 'zod';
import { sql, type Db } from '../db';
import { findRegion } from '../geo/regions';
import { ApiError } from '../http/errors';
import { audit } from './audit';
import { grantable, grantableRegion, grantableWhere, outsideScope, REGION_CODE } from './scope';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords';
import { ROLES, type Role, type Viewer } from './viewer';

export const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,39}$/, '用户名为2–40位小写字母、数字、点、横线或下划线');
export const password = z.string().min(MIN_PASSWORD_LENGTH, `密码至少${MIN_PASSWORD_LENGTH}位`).max(200);

/** Who the account belongs to (optional): the person's name, unit and phone. */
export const userDetails = {
	full_name: z.string().trim().min(1, '请填写姓名').max(40, '姓名最多40个字').optional(),
	unit: z.string().trim().min(1, '请填写单位').max(100, '单位最多100个字').optional(),
	phone: z.string().trim().regex(/^[0-9+() -]{5,30}$/, '电话号码只能包含数字、空格、横线、括号和 +，5–30位').optional()
};

export const userInput = z.object({
	username,
	password,
	role: z.enum(ROLES),
	scope: z.string().max(40),
	...userDetails
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

const invalidScope = (message: string) => new ApiError(422, 'invalid_scope', '该角色的管辖范围不正确', [{ field: 'scope', message }]);

/**
 * Checks that `scope` suits `role` and, when someone grants it (`granter`; none for the local
 * `user:add` tool and the demo accounts), that it lies inside the granter's own scope: a region
 * at or below theirs, or a team based there. Returns the columns to store.
 */
async function scopeColumns(db: Db, granter: Viewer | null, role: Role, scope: string) {
	if (role === 'inspector') {
		const [team] = await db`select id, home_region from team where id = ${scope}`;
		if (!team) throw new ApiError(422, 'invalid_scope', '检查组不存在', [{ field: 'scope', message: '检查组不存在' }]);
		const home = granter ? await findRegion(team.home_region, db) : null;
		if (granter && (!home || !grantable(granter, home))) throw outsideScope('scope');
		return { scope_region: null, scope_team: scope };
	}
	const expected = `应为${SCOPE_LEVELS[role].map((l) => LEVEL_NAMES[l]).join('或')}级地区代码`;
	if (!REGION_CODE.test(scope)) throw invalidScope(expected);
	const region = granter ? await grantableRegion(granter, scope, 'scope', db) : await findRegion(scope, db);
	if (!region || !SCOPE_LEVELS[role].includes(region.level)) throw invalidScope(expected);
	return { scope_region: scope, scope_team: null };
}

/**
 * The account `id`, locked, if it is `granter`'s to manage: its scope (its team's base, for an
 * inspector) inside the granter's. An inspector between teams holds nothing and is any
 * admin's to manage. Anything else is answered like an account that does not exist.
 */
async function lockAccount(tx: Db, granter: Viewer, id: number) {
	const [row] = await tx`
		select ${publicColumns(tx)}, coalesce(u.scope_region, (select t.home_region from team t where t.id = u.scope_team)) as region
		from app_user u where u.id = ${id} for update`;
	const free = row && row.role === 'inspector' && row.scope_team === null;
	const region = row && !free && row.region ? await findRegion(row.region, tx) : null;
	if (!row || (!free && (!region || !grantable(granter, region)))) throw new ApiError(404, 'not_found', '没有该用户');
	const { region: _region, ...account } = row;
	return account;
}

const publicColumns = (db: Db) => db`id, username, role, scope_region, scope_team, disabled, demo, created_at, full_name, unit, phone`;

export async function createUser(actor: Viewer | null, input: UserInput, { demo = false }: { demo?: boolean } = {}, db: Db = sql) {
	const hash = await hashPassword(input.password);
	const run = async (tx: Db) => {
		const scope = await scopeColumns(tx, actor, input.role, input.scope);
		const [taken] = await tx`select 1 from app_user where username = ${input.username}`;
		if (taken) throw new ApiError(409, 'username_taken', '用户名已被使用', [{ field: 'username', message: '用户名已被使用' }]);
		const [user] = await tx`
			insert into app_user (username, password_hash, role, scope_region, scope_team, demo, full_name, unit, phone)
			values (${input.username}, ${hash}, ${input.role}, ${scope.scope_region}, ${scope.scope_team}, ${demo},
				${input.full_name ?? null}, ${input.unit ?? null}, ${input.phone ?? null})
			returning ${publicColumns(tx)}
		`;
		await audit(tx, actor, { action: 'create', entity: 'user', entityId: user.id, after: { username: user.username, role: user.role, scope: input.scope, full_name: user.full_name, unit: user.unit, phone: user.phone } });
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
		const before = await lockAccount(tx, actor, id);
		if (actor.kind === 'user' && actor.id === id && (change.disabled || (change.role && change.role !== 'admin'))) {
			throw new ApiError(422, 'own_account', '不能停用自己的账号或取消自己的管理员角色');
		}
		const role = change.role ?? before.role;
		const scopeGiven = change.scope ?? (role === 'inspector' ? before.scope_team : before.scope_region);
		const scope = change.role || change.scope ? await scopeColumns(tx, actor, role, scopeGiven ?? '') : { scope_region: before.scope_region, scope_team: before.scope_team };
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

export const detailsChange = z.object({
	full_name: userDetails.full_name.nullable().default(null),
	unit: userDetails.unit.nullable().default(null),
	phone: userDetails.phone.nullable().default(null)
});
export type DetailsChange = z.infer<typeof detailsChange>;

/** Sets who an account belongs to (name, unit, phone; null clears one); its sessions go on. */
export async function changeDetails(actor: Viewer, id: number, change: DetailsChange) {
	return sql.begin(async (tx) => {
		const before = await lockAccount(tx, actor, id);
		const [after] = await tx`
			update app_user set full_name = ${change.full_name}, unit = ${change.unit}, phone = ${change.phone}
			where id = ${id} returning ${publicColumns(tx)}`;
		const details = (u: typeof before) => ({ full_name: u.full_name, unit: u.unit, phone: u.phone });
		await audit(tx, actor, { action: 'update', entity: 'user', entityId: id, before: details(before), after: details(after) });
		return after;
	});
}

/** The accounts `granter` manages (see `lockAccount`). */
export async function listUsers(granter: Viewer) {
	return sql`
		select u.id, u.username, u.role, u.scope_region, u.scope_team, coalesce(r.name, t.name) as scope_name, u.disabled, u.demo, u.created_at,
			u.full_name, u.unit, u.phone
		from app_user u left join region r on r.code = u.scope_region left join team t on t.id = u.scope_team
			left join region h on h.code = coalesce(u.scope_region, t.home_region)
		where ${grantableWhere(sql, granter, 'h')} or (u.role = 'inspector' and u.scope_team is null)
		order by u.username
	`;
}

export async function findLogin(name: string) {
	const [row] = await sql`select id, username, role, password_hash, disabled from app_user where username = ${name.toLowerCase()}`;
	return row as { id: number; username: string; role: Role; password_hash: string; disabled: boolean } | undefined;
}
