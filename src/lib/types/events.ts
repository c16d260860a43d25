/** The live stream's events (SPEC §4), shared by the server and the pages. */
import type { IndicatorValues, Level } from '$lib/indicators';
import type { ImportKind } from './imports';

/** 待命, 在途, 检查中, 汇报中, 休整: a team's moves between them are `TEAM_MOVES` ($lib/types/teams) */
export const TEAM_STATUSES = ['idle', 'travelling', 'inspecting', 'reporting', 'off_duty'] as const;
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
/** 挂牌督办 by the province (省级) or the nation (国家级) */
export const SUPERVISION_LEVELS = ['province', 'national'] as const;
export type SupervisionLevel = (typeof SUPERVISION_LEVELS)[number];

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
	/** the facility as the change left it (what was posted may name only one of its figures) */
	'facility.updated': { facility: string; kind: string; doctors: number; licensed_doctors: number; standard_met: boolean };
	'problem.created': {
		problem: number;
		code: string;
		region: string;
		category: ProblemCategory;
		source: ProblemSource;
		deadline: string;
		/** photos a team's finding came with, now the problem's evidence */
		evidence?: EvidenceRef[];
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
	'problem.supervised': { problem: number; code: string; deadline: string; level: SupervisionLevel; from: SupervisionLevel | null };
	'problem.overdue': { problem: number; code: string; deadline: string; supervised: boolean };
	'talk.recorded': {
		talk: number;
		region: { code: string; name: string; level: Level };
		leader: string;
		reason: string;
		heldOn: string;
		/** the ledger item the talk was about, if any */
		problem: number | null;
	};
	// team.* events are sealed: only province-scope leaders, dispatchers, admins and the team itself
	'team.status': { team: string; status: TeamStatus; from: TeamStatus; assignment: number | null };
	'team.location': { team: string; lon: number; lat: number };
	'team.assigned': {
		team: string;
		assignment: number;
		county: { code: string; name: string };
		unannounced: boolean;
		startsOn: string;
		endsOn: string | null;
		places: number;
	};
	'team.finding': { team: string; problem: number; code: string; region: string; category: ProblemCategory; assignment: number | null; photos: number };
	/** a team created, or its name, leader, members or base changed (not posted: PATCH /api/teams/{id}) */
	'team.updated': { team: string; name: string; created: boolean };
	/** an assignment completed or cancelled (not posted: PATCH /api/teams/{id}/assignments/{id}) */
	'team.assignment_ended': { team: string; assignment: number; county: { code: string; name: string }; status: 'done' | 'cancelled' };
	/** the province paired its cities to inspect each other (sealed: the province's own plan) */
	'cross_inspection.drawn': { round: number; province: string; items: { inspector: string; target: string }[]; replaced: number | null };
	/** an announced inspection (unannounced: false), told to the county it goes to; no team named */
	'inspection.notice': { assignment: number; county: { code: string; name: string }; startsOn: string; endsOn: string | null; status: 'planned' | 'done' | 'cancelled' };
	/** a province's dispatch weights changed: consoles rank again */
	'dispatch.weights_changed': { province: string };
	'indicators.changed': { regions: { code: string; level: Level; indicators: IndicatorValues }[]; cause: number };
	// an administrator's import of a file: what it wrote; each county it touched has its indicators.changed
	'import.applied': { kind: ImportKind; job: string; rows: number; inserted: number; updated: number; unchanged: number };
}

export type EventType = keyof EventPayloads;
/** Types a client may post to `POST /api/events`; the rest the server writes itself. */
export type PostedEventType = Exclude<
	EventType,
	'indicators.changed' | 'problem.overdue' | 'problem.escalated' | 'problem.deadline_changed' | 'problem.evidence_added' | 'import.applied' | WrittenEventType
>;
/** Types written by the server's own endpoints (teams, assignments, cross-inspection, settings), never posted. */
export type WrittenEventType = 'team.updated' | 'team.assignment_ended' | 'cross_inspection.drawn' | 'inspection.notice' | 'dispatch.weights_changed';

/**
 * An event's type with its own payload; with no argument, any event type with its payload, so
 * that narrowing on `type` types the payload. What a change plans and the log appends.
 */
export type EventOf<T extends EventType = EventType> = { [K in T]: { type: K; payload: EventPayloads[K] } }[T];

/** What the log says of every event, whatever its type. */
export interface EventFrame {
	seq: number;
	at: string;
	actor: string | null;
	path: EventPath;
}

/**
 * One event of the live stream: `LiveEvent<'team.status'>` is one type's, and `LiveEvent` any
 * of them as a union discriminated by `type` (narrowing on `event.type` types `event.payload`).
 */
export type LiveEvent<T extends EventType = EventType> = { [K in T]: EventFrame & EventOf<K> }[T];
