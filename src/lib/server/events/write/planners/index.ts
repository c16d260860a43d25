import type { Role } from '../../../auth/viewer';
import type { PostedEventType } from '$lib/types/events';
import { facilityChange, facilityStatement } from './facilities';
import { patientChange, patientStatement } from './patients';
import { problemCreation, problemStatusChange, problemSupervision } from './problems';
import { talkRecord } from './talks';
import { teamAssignment, teamFinding, teamLocation, teamStatus } from './teams';
import type { ChangeStatement, Planner } from './plan';

export type { Plan, PlannedEvent, UserViewer } from './plan';

export const PLANNERS: { [T in PostedEventType]: Planner<T> } = {
	'patient.identified': patientChange('patient.identified'),
	'patient.treated': patientChange('patient.treated'),
	'patient.followed_up': patientChange('patient.followed_up'),
	'patient.signed': patientChange('patient.signed'),
	'patient.enrolled': patientChange('patient.enrolled'),
	'facility.updated': facilityChange,
	'problem.created': problemCreation,
	'problem.status_changed': problemStatusChange,
	'problem.supervised': problemSupervision,
	'talk.recorded': talkRecord,
	'team.status': teamStatus,
	'team.location': teamLocation,
	'team.assigned': teamAssignment,
	'team.finding': teamFinding
};

/**
 * Types whose planner reads its subject, refuses before it changes anything, and changes the
 * record in one statement built from the payload alone (a `statement` plan): a commit batch
 * makes them together (`Write.pure`), and a write alone in its batch sends that statement right
 * behind its reads (`Write.apply`'s `early`).
 */
export const SINGLE_STATEMENT: { readonly [T in PostedEventType]?: ChangeStatement<T> } = {
	'patient.identified': patientStatement('patient.identified'),
	'patient.treated': patientStatement('patient.treated'),
	'patient.followed_up': patientStatement('patient.followed_up'),
	'patient.signed': patientStatement('patient.signed'),
	'patient.enrolled': patientStatement('patient.enrolled'),
	'facility.updated': facilityStatement
};

const FIELD: Role[] = ['county_officer', 'dispatcher'];
const TEAM: Role[] = ['inspector', 'dispatcher'];

/** Who may post each type (SPEC §5); the plan's scope check then bounds where. */
export const POSTERS_OF: Record<PostedEventType, Role[]> = {
	'patient.identified': FIELD,
	'patient.treated': FIELD,
	'patient.followed_up': FIELD,
	'patient.signed': FIELD,
	'patient.enrolled': FIELD,
	'facility.updated': FIELD,
	'problem.created': FIELD,
	'problem.status_changed': FIELD,
	'problem.supervised': ['dispatcher'],
	'talk.recorded': ['dispatcher'],
	'team.status': TEAM,
	'team.location': TEAM,
	'team.assigned': ['dispatcher'],
	'team.finding': TEAM
};

/** Everyone who may post some type: the others are refused before the body is read. */
export const POSTERS: Role[] = [...new Set(Object.values(POSTERS_OF).flat())];
