/** The live stream's events (SPEC §4), shared by the server and the pages. */
import type { IndicatorValues, Level } from '$lib/indicators';
import type { ImportKind } from './imports';

export const TEAM_STATUSES = ['idle', 'travelling', 'inspecting', 'off_duty'] as const;
export type TeamStatus = (typeof TEAM_STATUSES)[number];

export const PROBLEM_CATEGORIES = ['clinic', 'doctor', 'hospital', 'insurance', 'treatment', 'chronic', 'followup', 'data', 'other'] as const;
export type ProblemCategory = (typeof PROBLEM_CATEGORIES)[number];
export const PROBLEM_SOURCES = ['screening', 'inspection', 'cross_inspection', 'self_check', 'audit', 'complaint', 'media'] as const;
export type ProblemSource = (typeof PROBLEM_SOURCES)[number];
/** 销号管理: 待整改 → 整改中 → 整改完成，待核查 → 已销号 (and back to 整改中 when the check fails) */
export const PROBLEM_STATUSES = ['open', 'rectifying', 'submitted', 'closed'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];
/** where an overdue problem has been escalated to */
export const ESCALATION_LEVELS = ['city', 'province'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** A file attached to a problem's move, as events and the ledger name it. */
export interface EvidenceRef {
	id: number;
	name: string;
	type: string;
	size: number;
}

/** Region codes on an event's path, as far down as its subject lies. */
export interface EventPath {
	province: string;
	city: string | null;
	county: string | null;
	township: string | null;
	village: string | null;
}

export interface EventPayloads {
	'patient.identified': { patient: string; date: string };
	'patient.treated': { patient: string; date: string };
	'patient.followed_up': { patient: string; date: string };
	'patient.signed': { patient: string; date: string };
	'patient.enrolled': { patient: string; date: string };
	'facility.updated': { facility: string; doctors?: number; licensed_doctors?: number; standard_met?: boolean };
	'problem.created': {
		problem: number;
		code: string;
		region: string;
		category: ProblemCategory;
		source: ProblemSource;
		deadline: string;
	};
	'problem.status_changed': {
		problem: number;
		code?: string;
		status: ProblemStatus;
		from?: ProblemStatus;
		note?: string;
		/** why a submitted rectification was sent back */
		reason?: string;
		evidence?: EvidenceRef[];
	};
	'problem.deadline_changed': { problem: number; code: string; deadline: string; from: string; reason: string };
	'problem.evidence_added': { problem: number; code: string; evidence: EvidenceRef };
	/** an overdue problem escalated to `level`, or back to none (`level: null`) when closed */
	'problem.escalated': { problem: number; code: string; level: EscalationLevel | null; deadline: string; daysOverdue: number };
	'problem.supervised': { problem: number; code: string; deadline: string };
	'problem.overdue': { problem: number; code: string; deadline: string; supervised: boolean };
	'talk.recorded': { talk: number; region: { code: string; name: string; level: Level }; leader: string; reason: string; heldOn: string };
	// team.* events are sealed: only province-scope leaders, dispatchers, admins and the team itself
	'team.status': { team: string; status: TeamStatus; assignment: number | null };
	'team.location': { team: string; lon: number; lat: number };
	'team.assigned': { team: string; assignment: number; county: { code: string; name: string }; unannounced: boolean; startsOn: string };
	'team.finding': { team: string; problem: number; code: string; region: string; category: ProblemCategory };
	'indicators.changed': { regions: { code: string; level: Level; indicators: IndicatorValues }[]; cause: number };
	// an administrator's import of a file: what it wrote; each county it touched has its indicators.changed
	'import.applied': { kind: ImportKind; job: string; rows: number; inserted: number; updated: number; unchanged: number };
}

export type EventType = keyof EventPayloads;
/** Types a client may post to `POST /api/events`; the rest the server writes itself. */
export type PostedEventType = Exclude<
	EventType,
	'indicators.changed' | 'problem.overdue' | 'problem.escalated' | 'problem.deadline_changed' | 'problem.evidence_added' | 'import.applied'
>;

export interface LiveEvent<T extends EventType = EventType> {
	seq: number;
	type: T;
	at: string;
	actor: string | null;
	path: EventPath;
	payload: EventPayloads[T];
}
