/** The problem ledger's shapes (SPEC §5), shared by the server and the pages. */
import type { EscalationLevel, EvidenceRef, ProblemCategory, ProblemSource, ProblemStatus } from './events';

export interface ProblemMove {
	from: ProblemStatus;
	to: ProblemStatus;
	by: 'county' | 'checker';
	/** a reason is required (a submission sent back) */
	reason: boolean;
	/** evidence is required (the move claims the work done) */
	evidence: boolean;
}

export interface ProblemItem {
	id: number;
	code: string;
	region: { code: string; name: string; level: string };
	county: { code: string; name: string };
	city: { code: string; name: string } | null;
	category: ProblemCategory;
	source: ProblemSource;
	description: string;
	found_on: string;
	deadline: string;
	responsible_unit: string;
	responsible_leader: string;
	status: ProblemStatus;
	supervised: boolean;
	overdue: boolean;
	/** days past the deadline (0 when not overdue) */
	days_overdue: number;
	escalation: EscalationLevel | null;
	found_by: 'province' | 'city' | 'county';
	closed_at: string | null;
	updated_at: string;
}

export interface TimelineEntry {
	seq: number;
	type: string;
	at: string;
	actor: string | null;
	status?: ProblemStatus;
	from?: ProblemStatus;
	note?: string;
	reason?: string;
	deadline?: string;
	level?: EscalationLevel | null;
	evidence?: EvidenceRef[];
}

export interface ProblemDetail extends ProblemItem {
	timeline: TimelineEntry[];
	/** files uploaded and not yet attached to a move */
	pending_evidence: EvidenceRef[];
	/** what this viewer may do with it now */
	moves: ProblemMove[];
	may_change_deadline: boolean;
	may_upload: boolean;
	/** the place's point (village, township) or the county's centre, for the small map */
	point: [number, number] | null;
}

export interface SummaryRow {
	code: string;
	name: string;
	level: string;
	total: number;
	open: number;
	rectifying: number;
	submitted: number;
	closed: number;
	overdue: number;
	supervised: number;
	escalated: number;
}

export const LEDGER_SORTS = ['deadline', 'found_on', 'updated_at', 'code', 'status', 'county', 'days_overdue'] as const;
export type LedgerSort = (typeof LEDGER_SORTS)[number];
