import { z } from 'zod';
import { sql as defaultSql, type Db, type Sql } from '../db';
import { grantable } from '../auth/scope';
import { findRegion, type Region } from '../geo/regions';
import { ApiError } from '../http/errors';
import { commitPlan } from '../events/write/post';
import { lockTeam, moveTeam, teamPlan, type Position, type TeamRow } from '../events/write/planners/teams';
import type { PlannedEvent, UserViewer } from '../events/write/planners';
import { TEAM_STATUSES } from '$lib/types/events';

/**
 * A team's roster (name, leader, members, base) as an admin or dispatcher keeps it. Members are
 * inspector accounts: an inspector belongs to at most one team (`app_user.scope_team`). Every
 * grant lies inside the granter's scope: the base, and each member taken from another team.
 */
const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,39}$/, '用户名不正确');
const position = z
	.object({
		lon: z.number().min(73, '经度应在73到136之间').max(136, '经度应在73到136之间'),
		lat: z.number().min(3, '纬度应在3到54之间').max(54, '纬度应在3到54之间')
	})
	.strict();
const name = z.string().trim().min(1, '名称不能为空').max(40, '名称最多40个字符').refine((value) => !value.includes('\u0000'), '名称不能含空字符');
const members = z
	.array(username)
	.max(20, '一个检查组最多20名成员')
	.refine((list) => new Set(list).size === list.length, '成员不能重复');
const homeRegion = z.string().regex(/^\d{6}$/, '驻地应为省、市或县（6位代码）');

export const teamInput = z
	.object({ name, home_region: homeRegion, home: position.optional(), leader: username.nullable().optional(), members: members.optional() })
	.strict();
export type TeamInput = z.infer<typeof teamInput>;

export const teamChange = z
	.object({
		name: name.optional(),
		home_region: homeRegion.optional(),
		home: position.optional(),
		leader: username.nullable().optional(),
		members: members.optional(),
		status: z.enum(TEAM_STATUSES, `状态应为 ${TEAM_STATUSES.join('、')} 之一`).optional(),
		position: position.optional()
	})
	.strict()
	.refine((c) => Object.keys(c).length > 0, '没有要修改的内容');
export type TeamChange = z.infer<typeof teamChange>;

const invalid = (field: string, message: string) => new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field, message }]);
const MANAGERS = ['admin', 'dispatcher'];

/** The base region, if the viewer's scope holds it; anything else is the same field error. */
async function baseOf(tx: Db, viewer: UserViewer, code: string): Promise<Region> {
	const region = await findRegion(code, tx);
	if (!region || !['province', 'city', 'county'].includes(region.level) || !grantable(viewer, region)) {
		throw invalid('home_region', '驻地不在本账号管辖范围内');
	}
	return region;
}

interface Member {
	id: number;
	username: string;
	team: string | null;
}

/**
 * The inspector accounts named, each without a team or on one whose province the viewer's
 * scope holds; a name that is not such an account is refused the same way whatever it is.
 */
async function inspectorsOf(tx: Db, viewer: UserViewer, names: string[]): Promise<Member[]> {
	if (!names.length) return [];
	const rows = await tx`
		select u.id, u.username, u.scope_team as team, h.province_code
		from app_user u left join team t on t.id = u.scope_team left join region h on h.code = t.home_region
		where u.username in ${tx(names)} and u.role = 'inspector' and not u.disabled
		for update of u`;
	const found = new Map<string, Member>();
	for (const row of rows) {
		const province = row.province_code ? await findRegion(row.province_code, tx) : null;
		if (row.team === null || (province && grantable(viewer, province))) found.set(row.username, { id: row.id, username: row.username, team: row.team });
	}
	const stranger = names.findIndex((n) => !found.has(n));
	if (stranger >= 0) throw invalid(`members.${stranger}`, '没有该检查员账号，或其不在本省');
	return names.map((n) => found.get(n)!);
}

/** Sets the team's members to `list` (those left off stand between teams) and its leader; the usernames whose team changed. */
async function setRoster(tx: Db, team: string, list: Member[] | null, leader: string | null | undefined): Promise<string[]> {
	const moved: string[] = [];
	if (list) {
		const ids = list.map((m) => m.id);
		const off = await tx`
			update app_user set scope_team = null
			where scope_team = ${team} and role = 'inspector' ${ids.length ? tx`and id not in ${tx(ids)}` : tx``}
			returning username`;
		moved.push(...off.map((row) => row.username as string));
		const joining = list.filter((m) => m.team !== team);
		if (joining.length) await tx`update app_user set scope_team = ${team} where id in ${tx(joining.map((m) => m.id))}`;
		moved.push(...joining.map((m) => m.username));
	}
	if (leader !== undefined) {
		const [row] = leader === null ? [{ id: null }] : await tx`select id from app_user where username = ${leader} and scope_team = ${team}`;
		if (!row) throw invalid('leader', '组长应为本组成员');
		await tx`update team set leader_id = ${row.id} where id = ${team}`;
	} else if (list) {
		// a leader taken off the team is no longer its leader
		await tx`update team t set leader_id = null where t.id = ${team} and not exists (select 1 from app_user u where u.id = t.leader_id and u.scope_team = t.id)`;
	}
	return moved;
}

const point = (tx: Db, p: Position) => tx`st_setsrid(st_makepoint(${p.lon}, ${p.lat}), 4326)`;

/** The point of a base region when no home point is given: its own point, or a point inside its outline. */
const regionPoint = (tx: Db, code: string) => tx`(select coalesce(point, st_pointonsurface(geom)) from region where code = ${code})`;

export interface RosterResult {
	id: string;
	/** usernames whose team changed: their sessions must hear the new team's events */
	moved: string[];
}

/** Creates a team in the viewer's scope, standing by at its base. */
export async function createTeam(viewer: UserViewer, input: TeamInput, db: Sql = defaultSql): Promise<RosterResult> {
	if (!MANAGERS.includes(viewer.role)) throw new ApiError(403, 'forbidden', '当前账号无权管理检查组');
	let result: RosterResult = { id: '', moved: [] };
	await commitPlan(
		viewer,
		'team.create',
		async (tx) => {
			const base = await baseOf(tx, viewer, input.home_region);
			const province = (await findRegion(base.provinceCode, tx))!;
			return {
				entity: 'team',
				entityId: null,
				subject: province.code,
				subjectRegion: province,
				counts: false,
				before: null,
				apply: async (tx) => {
					// one new number at a time: team-1, team-2 …
					await tx`lock table team in share row exclusive mode`;
					const home = input.home ? point(tx, input.home) : regionPoint(tx, base.code);
					const [team] = await tx`
						insert into team (id, name, status, home_region, home_point, point)
						select 'team-' || (coalesce(max(substring(id from '^team-([0-9]+)$')::int), 0) + 1), ${input.name}, 'idle', ${base.code}, ${home}, ${home}
						from team
						returning id, name, status, home_region`;
					const list = await inspectorsOf(tx, viewer, input.members ?? []);
					const moved = await setRoster(tx, team.id, list, input.leader ?? undefined);
					result = { id: team.id, moved };
					return { ...team, members: input.members ?? [], leader: input.leader ?? null };
				},
				events: (after): PlannedEvent[] => [{ type: 'team.updated', region: province, sealed: true, payload: { team: after.id as string, name: after.name as string, created: true } }]
			};
		},
		db
	);
	return result;
}

/** Changes a team's roster or base, and moves its status or position by the allowed moves. */
export async function changeTeam(viewer: UserViewer, id: string, change: TeamChange, db: Sql = defaultSql): Promise<RosterResult> {
	if (!MANAGERS.includes(viewer.role)) throw new ApiError(403, 'forbidden', '当前账号无权管理检查组');
	const moved: string[] = [];
	await commitPlan(
		viewer,
		'team.update',
		async (tx) => {
			const { team, province } = await lockTeam(tx, id, viewer);
			let events: PlannedEvent[] = [];
			return teamPlan(team, province, {
				apply: async (tx) => {
					const base = change.home_region ? await baseOf(tx, viewer, change.home_region) : null;
					if (base && base.provinceCode !== province.code) throw invalid('home_region', '驻地不能迁往另一省');
					const home = change.home ? point(tx, change.home) : base ? regionPoint(tx, base.code) : null;
					await tx`
						update team set name = ${change.name ?? team.name}, home_region = ${base?.code ?? team.home_region},
							home_point = ${home ?? tx`home_point`}, updated_at = now()
						where id = ${id}`;
					const list = change.members ? await inspectorsOf(tx, viewer, change.members) : null;
					moved.push(...(await setRoster(tx, id, list, change.leader)));
					const roster = change.name || base || home || list || change.leader !== undefined;
					events = roster ? [{ type: 'team.updated', payload: { team: id, name: change.name ?? team.name, created: false } }] : [];
					const move = change.status !== undefined || change.position ? await moveTeam(tx, team as TeamRow, change.status, change.position) : null;
					events.push(...(move?.events ?? []));
					const [after] = await tx`
						select t.id, t.name, t.status, t.home_region, st_x(t.home_point) as home_lon, st_y(t.home_point) as home_lat, t.leader_id,
							array(select username from app_user where scope_team = t.id order by username) as members
						from team t where t.id = ${id}`;
					return after;
				},
				events: () => events
			});
		},
		db
	);
	return { id, moved };
}

/** Session ids of the accounts whose team changed: their open sockets are cut and reconnect with the new team. */
export async function sessionsOf(usernames: string[], db: Sql = defaultSql): Promise<string[]> {
	if (!usernames.length) return [];
	const rows = await db`select s.id from user_session s join app_user u on u.id = s.user_id where u.username in ${db(usernames)}`;
	return rows.map((row) => row.id as string);
}
