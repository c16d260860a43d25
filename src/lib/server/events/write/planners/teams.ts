import type { Db } from '../../../db';
import { covers } from '../../../auth/scope';
import { findRegion, type Region } from '../../../geo/regions';
import { ApiError } from '../../../http/errors';
import { OUT, TEAM_MOVES } from '$lib/types/teams';
import type { TeamStatus } from '$lib/types/events';
import { insertProblem, problemCreated, problemRegion } from './problems';
import { attachPhotos } from '../../../teams/photo-store';
import type { EvidenceRef } from '$lib/types/events';
import { day, type Change, type Plan, type PlannedEvent, type Planner, type UserViewer } from './plan';

/**
 * Team events are sealed and placed at the team's province, never at the county it is sent
 * to: an unannounced inspection must not reach the target (四不两直). Only the province's
 * dispatchers and the team's own members post them.
 */
export interface TeamRow {
	id: string;
	name: string;
	home_region: string;
	status: TeamStatus;
	[column: string]: unknown;
}

export interface AssignmentRow {
	id: number;
	county_code: string;
	county_name: string;
	status: 'assigned' | 'underway' | 'done' | 'cancelled';
	unannounced: boolean;
	starts_on: unknown;
	ends_on: unknown;
}

const forbidden = () => new ApiError(403, 'forbidden', '无权操作该检查组');
const invalid = (field: string, message: string) => new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field, message }]);

/** Whether `viewer` acts for the team: one of its members, or a dispatcher or admin whose scope holds its province. */
export const actsFor = async (viewer: UserViewer, team: string, province: Region): Promise<boolean> =>
	viewer.role === 'inspector' ? viewer.team === team : (viewer.role === 'dispatcher' || viewer.role === 'admin') && covers(viewer, province);

/**
 * The team, locked until commit, and its province. A team the viewer does not act for is
 * refused like one that does not exist: no one learns of another province's teams.
 */
export async function lockTeam(tx: Db, id: string, viewer: UserViewer): Promise<{ team: TeamRow; province: Region }> {
	const [team] = await tx`
		select t.id, t.name, t.status, t.home_region, st_x(t.point) as lon, st_y(t.point) as lat, t.leader_id,
			st_x(t.home_point) as home_lon, st_y(t.home_point) as home_lat, h.province_code
		from team t join region h on h.code = t.home_region
		where t.id = ${id} for update of t`;
	const province = team && (await findRegion(team.province_code, tx));
	if (!team || !province || !(await actsFor(viewer, id, province))) throw forbidden();
	return { team: team as TeamRow, province };
}

/** The assignment the team is out on (assigned or under way), if any. */
export async function activeAssignment(tx: Db, team: string): Promise<AssignmentRow | null> {
	const [row] = await tx`
		select a.id, a.county_code, c.name as county_name, a.status, a.unannounced, a.starts_on, a.ends_on
		from assignment a join region c on c.code = a.county_code
		where a.team_id = ${team} and a.status in ('assigned', 'underway') order by a.id desc limit 1`;
	return (row as AssignmentRow) ?? null;
}

/** Team plans: audited as the team, placed at its province, sealed unless an event says otherwise. */
export function teamPlan(team: TeamRow, province: Region, plan: Change & Pick<Plan, 'events'> & Partial<Pick<Plan, 'mayPost'>>): Plan {
	return {
		entity: 'team',
		entityId: team.id,
		subject: province.code,
		subjectRegion: province,
		counts: false,
		before: team,
		// `lockTeam` has checked who acts for the team
		mayPost: async () => true,
		...plan,
		events: (after): PlannedEvent[] => plan.events(after).map((event) => ({ region: province, sealed: true, ...event }))
	};
}

const moveRefused = (from: TeamStatus, to: TeamStatus) =>
	new ApiError(409, 'invalid_move', from === to ? '检查组已是该状态' : `检查组状态不能从 ${from} 改为 ${to}`);

/** An announced inspection (unannounced: false) is told to its county; an unannounced one never is. */
export function noticeOf(assignment: Pick<AssignmentRow, 'id' | 'unannounced' | 'starts_on' | 'ends_on'>, county: Region, status: 'planned' | 'done' | 'cancelled'): PlannedEvent[] {
	if (assignment.unannounced) return [];
	return [
		{
			type: 'inspection.notice',
			region: county,
			sealed: false,
			payload: {
				assignment: Number(assignment.id),
				county: { code: county.code, name: county.name },
				startsOn: day(assignment.starts_on),
				endsOn: assignment.ends_on ? day(assignment.ends_on) : null,
				status
			}
		}
	];
}

/** Ends the assignment; the team stands by again. */
export async function endAssignment(tx: Db, teamId: string, assignment: AssignmentRow, status: 'done' | 'cancelled'): Promise<Ended> {
	const [after] = await tx`
		update assignment set status = ${status}, ended_at = now(),
			-- the last day as it was: a team back early ends early; one that set out before its first day began then
			starts_on = case when ${status} = 'done' then least(starts_on, current_date) else starts_on end,
			ends_on = case when ${status} = 'done' then current_date else ends_on end
		where id = ${assignment.id} returning id, unannounced, starts_on, ends_on`;
	await tx`update team set status = 'idle', updated_at = now() where id = ${teamId}`;
	const county = await findRegion(assignment.county_code, tx);
	return { assignment, after: after as AssignmentRow, county: county! };
}

export interface Position {
	lon: number;
	lat: number;
}

/**
 * Moves the team to `status` by its allowed moves, and to `position`; the assignment follows
 * (on site it is under way, back at standby it is done). The team after, and the events.
 */
export async function moveTeam(tx: Db, team: TeamRow, status: TeamStatus | undefined, position: Position | undefined) {
	const from = team.status;
	const events: PlannedEvent[] = [];
	let assignment: AssignmentRow | null = null;
	if (status !== undefined) {
		if (!TEAM_MOVES[from].includes(status)) throw moveRefused(from, status);
		assignment = await activeAssignment(tx, team.id);
		if (OUT.includes(status) && !assignment) throw new ApiError(409, 'no_assignment', '该检查组没有进行中的任务');
		if (assignment && status === 'inspecting') {
			await tx`
				update assignment set status = 'underway', visited_on = coalesce(visited_on, current_date),
					starts_on = least(starts_on, current_date)
				where id = ${assignment.id}`;
		}
		events.push({ type: 'team.status', payload: { team: team.id, status, from, assignment: assignment ? Number(assignment.id) : null } });
		if (assignment && status === 'idle') events.push(...endEvents(team.id, await endAssignment(tx, team.id, assignment, 'done'), 'done'));
	}
	if (position) events.push({ type: 'team.location', payload: { team: team.id, ...position } });
	const [after] = await tx`
		update team set status = ${status ?? from}, updated_at = now(),
			point = ${position ? tx`st_setsrid(st_makepoint(${position.lon}, ${position.lat}), 4326)` : tx`point`}
		where id = ${team.id} returning id, status, st_x(point) as lon, st_y(point) as lat`;
	return { after: { ...after, assignment: assignment ? Number(assignment.id) : null }, events };
}

/** A plan whose change is a move of the team: its status, its position or both. */
function movePlan(team: TeamRow, province: Region, status: TeamStatus | undefined, position: Position | undefined): Plan {
	let events: PlannedEvent[] = [];
	return teamPlan(team, province, {
		apply: async (tx) => {
			const moved = await moveTeam(tx, team, status, position);
			events = moved.events;
			return moved.after;
		},
		events: () => events
	});
}

export const teamStatus: Planner<'team.status'> = async (tx, p, viewer) => {
	const { team, province } = await lockTeam(tx, p.team, viewer);
	const position = p.lon !== undefined && p.lat !== undefined ? { lon: p.lon, lat: p.lat } : undefined;
	return movePlan(team, province, p.status, position);
};

export const teamLocation: Planner<'team.location'> = async (tx, p, viewer) => {
	const { team, province } = await lockTeam(tx, p.team, viewer);
	return movePlan(team, province, undefined, { lon: p.lon, lat: p.lat });
};

/** An assignment as its end left it, with its county: what the end's events tell. */
export interface Ended {
	assignment: AssignmentRow;
	after: AssignmentRow;
	county: Region;
}

/** What the end of an assignment tells: the province's console, and the county if it was announced. */
export function endEvents(team: string, { assignment, after, county }: Ended, status: 'done' | 'cancelled'): PlannedEvent[] {
	const events: PlannedEvent[] = [
		{ type: 'team.assignment_ended', payload: { team, assignment: Number(assignment.id), county: { code: county.code, name: county.name }, status } }
	];
	return [...events, ...noticeOf(after, county, status)];
}

/** The villages, townships and facilities of `county` among `ids`, in their order; a stranger is a field error. */
async function placesIn(tx: Db, county: string, ids: string[]): Promise<{ region: string | null; facility: string | null }[]> {
	if (!ids.length) return [];
	const [regions, facilities] = await Promise.all([
		tx`select code from region where code in ${tx(ids)} and county_code = ${county} and level in ('township', 'village')`,
		tx`select id from facility where id in ${tx(ids)} and county_code = ${county}`
	]);
	const found = new Set([...regions.map((r) => r.code as string), ...facilities.map((f) => f.id as string)]);
	const stranger = ids.findIndex((id) => !found.has(id));
	if (stranger >= 0) throw invalid(`payload.places.${stranger}`, '该地点不在所派县内');
	const isRegion = new Set(regions.map((r) => r.code as string));
	return ids.map((id) => (isRegion.has(id) ? { region: id, facility: null } : { region: null, facility: id }));
}

export const teamAssignment: Planner<'team.assigned'> = async (tx, p, viewer) => {
	const { team, province } = await lockTeam(tx, p.team, viewer);
	const county = await findRegion(p.county, tx);
	// a county outside the dispatcher's scope is refused like one that does not exist
	if (!county || county.level !== 'county' || county.provinceCode !== province.code || !(await covers(viewer, county))) {
		throw invalid('payload.county', '该县不在本省范围内');
	}
	return teamPlan(team, province, {
		apply: async (tx) => {
			if (await activeAssignment(tx, p.team)) throw new ApiError(409, 'team_busy', '该检查组尚有未完成的任务');
			if (team.status !== 'idle') throw new ApiError(409, 'team_unavailable', '该检查组不在待命状态');
			const places = await placesIn(tx, county.code, p.places ?? []);
			const [dates] = await tx`
				select coalesce(${p.starts_on ?? null}::date, current_date) as starts_on, ${p.ends_on ?? null}::date as ends_on`;
			if (dates.ends_on && day(dates.ends_on) < day(dates.starts_on)) throw invalid('payload.ends_on', '结束日期不能早于开始日期');
			const [assignment] = await tx`
				insert into assignment (team_id, county_code, unannounced, reason, assigned_by, starts_on, ends_on)
				values (${p.team}, ${county.code}, ${p.unannounced}, ${p.reason ?? null}, ${viewer.username}, ${dates.starts_on}, ${dates.ends_on})
				returning id, unannounced, starts_on, ends_on`;
			if (places.length) {
				const rows = places.map((place, i) => ({ assignment_id: assignment.id, ord: i + 1, region_code: place.region, facility_id: place.facility }));
				await tx`insert into assignment_place ${tx(rows)}`;
			}
			await tx`update team set status = 'travelling', updated_at = now() where id = ${p.team}`;
			return { id: Number(assignment.id), ...assignment, places: places.length };
		},
		events: (after): PlannedEvent[] => [
			{
				type: 'team.assigned',
				payload: {
					team: p.team,
					assignment: after.id as number,
					county: { code: county.code, name: county.name },
					unannounced: p.unannounced,
					startsOn: day(after.starts_on),
					endsOn: after.ends_on ? day(after.ends_on) : null,
					places: after.places as number
				}
			},
			...noticeOf(after as unknown as AssignmentRow, county, 'planned')
		]
	});
};

/**
 * The assignment a finding belongs to: the one the team is out on, or the last it completed
 * in the past week (a finding queued on a phone without a connection may arrive after the
 * team has come back).
 */
async function findingAssignment(tx: Db, team: string): Promise<{ id: number; county_code: string } | null> {
	const [row] = await tx`
		select id, county_code from assignment
		where team_id = ${team}
			and (status in ('assigned', 'underway') or (status = 'done' and ended_at > now() - interval '7 days'))
		order by status in ('assigned', 'underway') desc, id desc limit 1`;
	return (row as { id: number; county_code: string }) ?? null;
}

/** 即时反馈: a team's finding on site becomes a problem in the county's ledger, with a deadline. */
export const teamFinding: Planner<'team.finding'> = async (tx, p, viewer) => {
	const { province } = await lockTeam(tx, p.team, viewer);
	const assignment = await findingAssignment(tx, p.team);
	// a place outside the county the team was sent to is refused like one that does not exist
	if (!assignment) throw forbidden();
	const region = await problemRegion(tx, p.region, (region) => region.countyCode === assignment.county_code);
	if (!region) throw forbidden();
	const { team: _team, evidence: _evidence, ...problem } = p;
	let photos: EvidenceRef[] = [];
	return {
		entity: 'problem',
		entityId: null,
		subject: region.code,
		subjectRegion: region,
		counts: true,
		before: null,
		mayPost: async () => true,
		// the county learns of the problem, not of the team that found it nor who was in it
		anonymous: true,
		apply: async (tx) => {
			const row = await insertProblem(tx, region, { ...problem, source: 'inspection' });
			await tx`
				insert into finding (problem_id, team_id, assignment_id, reported_by)
				values (${row.id as number}, ${p.team}, ${assignment.id}, ${viewer.username})`;
			// the team's photos become the problem's evidence, read by the county under its scope
			photos = await attachPhotos(tx, p.team, row.id as number, p.evidence ?? []);
			return row;
		},
		events: (after): PlannedEvent[] => [
			{
				type: 'team.finding',
				region: province,
				sealed: true,
				payload: {
					team: p.team,
					problem: Number(after.id),
					code: after.code as string,
					region: region.code,
					category: p.category,
					assignment: Number(assignment.id),
					photos: photos.length
				}
			},
			{ type: 'problem.created', payload: { ...problemCreated(after), ...(photos.length ? { evidence: photos } : {}) } }
		]
	};
};
