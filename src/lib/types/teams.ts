/** Flight-inspection teams (`/api/teams`), shared by the server and the pages. */
import type { ProblemCategory, TeamStatus } from './events';

export type { TeamStatus };

/**
 * The moves a team's status may make: standby → dispatched → on site → reporting → standby
 * (待命 → 在途 → 检查中 → 汇报中 → 待命). On site it may leave for the next place (→ 在途);
 * a dispatched team leaves standby by an assignment, and comes back to it when the assignment
 * is completed or cancelled, from wherever it is. Off duty (休整) only from and to standby.
 */
export const TEAM_MOVES: Record<TeamStatus, readonly TeamStatus[]> = {
	idle: ['off_duty'],
	travelling: ['inspecting'],
	inspecting: ['travelling', 'reporting'],
	reporting: ['idle', 'travelling'],
	off_duty: ['idle']
};

/** Statuses in which a team is out on an assignment. */
export const OUT: readonly TeamStatus[] = ['travelling', 'inspecting', 'reporting'];

export interface TeamMember {
	username: string;
	leader: boolean;
}

export interface Place {
	/** a village or township code, or a facility id */
	id: string;
	kind: 'village' | 'township' | 'county' | 'facility';
	name: string;
	/** the township and village it lies in, for a facility or a village */
	within: string | null;
	lon: number | null;
	lat: number | null;
}

export interface TeamAssignment {
	id: number;
	county: { code: string; name: string };
	status: 'assigned' | 'underway' | 'done' | 'cancelled';
	unannounced: boolean;
	startsOn: string;
	endsOn: string | null;
	reason: string | null;
	places: Place[];
}

export interface Team {
	id: string;
	name: string;
	status: TeamStatus;
	/** where the team is now */
	lon: number | null;
	lat: number | null;
	homeRegion: string;
	/** the point the team sets out from */
	home: { lon: number; lat: number } | null;
	leader: string | null;
	members: TeamMember[];
	updatedAt: string;
	assignment: TeamAssignment | null;
}

/** `POST /api/teams/{id}/findings`: the answer, the same again for a retry with the same key. */
export interface FindingAnswer {
	seq: number;
	problem: { id: number; code: string; deadline: string; region: string; category: ProblemCategory };
	/** true when the key had been used: the finding had arrived before */
	repeated: boolean;
}
