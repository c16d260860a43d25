/** Rows and form answers the admin pages hand to their components (no password hashes). */

export interface AdminUser {
	id: number;
	username: string;
	role: string;
	scope: string | null;
	scopeName: string | null;
	disabled: boolean;
	demo: boolean;
	createdAt: Date;
	fullName: string | null;
	unit: string | null;
	phone: string | null;
}

export interface KioskTokenRow {
	id: number;
	name: string;
	region: string;
	regionName: string;
	createdBy: string;
	createdAt: Date;
	revokedAt: Date | null;
}

/** A token just created: the only time its secret is on the page. */
export interface CreatedToken {
	id: number;
	token: string;
	name: string;
}

export interface AuditRow {
	id: number;
	at: Date;
	actor: string | null;
	role: string | null;
	action: string;
	entity: string;
	entityId: string | null;
	before: unknown;
	after: unknown;
}

/** What an admin form action answers: which form (and row) it concerns, and what went wrong. */
export interface FormFeedback {
	form?: string;
	id?: number;
	ok?: boolean;
	message?: string;
	fields?: Record<string, string>;
	values?: Record<string, string>;
}

/** Feedback for one form of one row, or nothing when the last answer was about another form. */
export function feedbackFor(feedback: FormFeedback | null | undefined, form: string, id?: number): FormFeedback | null {
	if (!feedback || feedback.form !== form) return null;
	return id === undefined || feedback.id === id ? feedback : null;
}
