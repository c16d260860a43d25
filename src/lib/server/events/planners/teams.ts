import type { Db } from '../../db';
import { covers } from '../../auth/scope';
import { findRegion, type Region } from '../../geo/regions';
import { ApiError } from '../../http/errors';
import { insertProblem, problemCreated, problemRegion } from './problems';
import { day, type Change, type Plan, type Planner, type UserViewer } from './plan';

/**
 * Team events are sealed and placed at the team's province, never at the county it is sent
 * to: an unannounced inspection must not reach the target (四不两直). Only the province's
 * dispatchers and the team's own members post them.
 */
interface TeamRow {
	id: string;
	home_region: string;
	status: string;
	[column: string]: unknown;
}

async function lockTeam(tx: Db, id: string): Promise<{ team: TeamRow; province: Region } | null> {
	const [team] = await tx`select id, name, status, home_region, st_x(point) as lon, st_y(point) as lat from team where id = ${id} for update`;
	if (!team) return null;
	const home = await findRegion(team.home_region, tx);
	const province = home && (await findRegion(home.provinceCode, tx));
	return province ? { team: team as TeamRow, province } : null;
}

const activeAssignment = async (tx: Db, team: string) =>
	(await tx`select id, county_code, status from assignment where team_id = ${team} and status in ('assigned', 'underway') order by id desc limit 1`)[0] ?? null;

/** A member of the team, or a dispatcher whose scope holds the team's province. */
const ofTeam = (team: string) => async (viewer: UserViewer, province: Region) =>
	viewer.role === 'inspector' ? viewer.team === team : covers(viewer, province);

function teamPlan(team: TeamRow, province: Region, plan: Change & Pick<Plan, 'events'>): Plan {
	return {
		entity: 'team',
		entityId: team.id,
		subject: province.code,
		subjectRegion: province,
		counts: false,
		before: team,
		mayPost: ofTeam(team.id),
		...plan,
		events: (after) => plan.events(after).map((event) => ({ region: province, sealed: true, ...event }))
	};
}

export const teamStatus: Planner<'team.status'> = async (tx, p) => {
	const found = await lockTeam(tx, p.team);
	if (!found) return null;
	return teamPlan(found.team, found.province, {
		apply: async (tx) => {
			const assignment = await activeAssignment(tx, p.team);
			// the assignment follows the team: on site it is under way, back home it is done
			if (assignment && p.status === 'inspecting') await tx`update assignment set status = 'underway' where id = ${assignment.id}`;
			if (assignment && p.status === 'idle') await tx`update assignment set status = 'done', ends_on = current_date where id = ${assignment.id}`;
			const [after] = await tx`update team set status = ${p.status}, updated_at = now() where id = ${p.team} returning id, status`;
			return { ...after, assignment: assignment ? Number(assignment.id) : null };
		},
		events: (after) => [{ type: 'team.status', payload: { team: p.team, status: after.status, assignment: after.assignment } }]
	});
};

export const teamLocation: Planner<'team.location'> = async (tx, p) => {
	const found = await lockTeam(tx, p.team);
	if (!found) return null;
	return teamPlan(found.team, found.province, {
		apply: async (tx) => {
			const [after] = await tx`
				update team set point = st_setsrid(st_makepoint(${p.lon}, ${p.lat}), 4326), updated_at = now()
				where id = ${p.team} returning id, st_x(point) as lon, st_y(point) as lat`;
			return after;
		},
		events: () => [{ type: 'team.location', payload: { team: p.team, lon: p.lon, lat: p.lat } }]
	});
};

export const teamAssignment: Planner<'team.assigned'> = async (tx, p, viewer) => {
	const found = await lockTeam(tx, p.team);
	if (!found) return null;
	const county = await findRegion(p.county, tx);
	// a county outside the dispatcher's scope is refused like one that does not exist
	if (!county || county.level !== 'county' || county.provinceCode !== found.province.code || !(await covers(viewer, county))) {
		throw new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field: 'payload.county', message: '该县不在本省范围内' }]);
	}
	return teamPlan(found.team, found.province, {
		apply: async (tx) => {
			if (await activeAssignment(tx, p.team)) throw new ApiError(409, 'team_busy', '该检查组尚有未完成的任务');
			const [assignment] = await tx`
				insert into assignment (team_id, county_code, unannounced, reason, assigned_by, starts_on)
				values (${p.team}, ${county.code}, ${p.unannounced}, ${p.reason ?? null}, ${viewer.username},
					coalesce(${p.starts_on ?? null}::date, current_date))
				returning id, starts_on`;
			await tx`update team set status = 'travelling', updated_at = now() where id = ${p.team}`;
			return { assignment: Number(assignment.id), startsOn: day(assignment.starts_on) };
		},
		events: (after) => [
			{
				type: 'team.assigned',
				payload: {
					team: p.team,
					assignment: after.assignment,
					county: { code: county.code, name: county.name },
					unannounced: p.unannounced,
					startsOn: after.startsOn
				}
			}
		]
	});
};

/** 即时反馈: a team's finding on site becomes a problem in the county's ledger, with a deadline. */
export const teamFinding: Planner<'team.finding'> = async (tx, p) => {
	const found = await lockTeam(tx, p.team);
	if (!found) return null;
	const region = await problemRegion(tx, p.region);
	if (!region) return null;
	const mayPostForTeam = ofTeam(p.team);
	return {
		entity: 'problem',
		entityId: null,
		subject: region.code,
		subjectRegion: region,
		counts: true,
		before: null,
		// the team's member or dispatcher, and only where the team is sent now
		mayPost: async (viewer) =>
			(await mayPostForTeam(viewer, found.province)) && (await activeAssignment(tx, p.team))?.county_code === region.countyCode,
		apply: (tx) => insertProblem(tx, region, { ...p, source: 'inspection' }),
		events: (after) => [
			{
				type: 'team.finding',
				region: found.province,
				sealed: true,
				payload: { team: p.team, problem: Number(after.id), code: after.code, region: region.code, category: p.category }
			},
			// the county learns of the problem, not of the team that found it
			{ type: 'problem.created', payload: problemCreated(after) }
		]
	};
};
