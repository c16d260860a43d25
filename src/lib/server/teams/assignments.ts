import { sql as defaultSql, type Sql } from '../db';
import { ApiError } from '../http/errors';
import { commitPlan } from '../events/write/post';
import { endAssignment, endEvents, lockTeam, teamPlan, type AssignmentRow } from '../events/write/planners/teams';
import type { PlannedEvent, UserViewer } from '../events/write/planners';

/**
 * Ends an assignment: completed (done) by the team or a dispatcher, cancelled by a dispatcher.
 * The team stands by again; a completed visit counts as the county's last inspection.
 */
export async function closeAssignment(viewer: UserViewer, teamId: string, id: number, status: 'done' | 'cancelled', db: Sql = defaultSql): Promise<void> {
	await commitPlan(
		viewer,
		`assignment.${status}`,
		async (tx) => {
			const { team, province } = await lockTeam(tx, teamId, viewer);
			if (status === 'cancelled' && viewer.role !== 'dispatcher') throw new ApiError(403, 'forbidden', '只有调度员可以撤销任务');
			const [assignment] = await tx`
				select a.id, a.county_code, c.name as county_name, a.status, a.unannounced, a.starts_on, a.ends_on
				from assignment a join region c on c.code = a.county_code
				where a.id = ${id} and a.team_id = ${teamId} for update of a`;
			if (!assignment) return null;
			let events: PlannedEvent[] = [];
			return {
				...teamPlan(team, province, {
					apply: async (tx) => {
						if (!['assigned', 'underway'].includes(assignment.status)) throw new ApiError(409, 'assignment_ended', '该任务已结束');
						const ended = await endAssignment(tx, teamId, assignment as AssignmentRow, status);
						events = [];
						if (team.status !== 'idle') events.push({ type: 'team.status', payload: { team: teamId, status: 'idle', from: team.status, assignment: id } });
						events.push(...endEvents(teamId, ended, status));
						return { id, status, team: teamId };
					},
					events: () => events
				}),
				entity: 'assignment',
				entityId: id,
				before: assignment
			};
		},
		db
	);
}
