import { sql as defaultSql, type Sql } from '../../db';
import { ApiError } from '../../http/errors';
import { dayOf } from '$lib/days';
import { NotDue, problemEscalation, problemOverdue } from './planners/problems';
import { DEFAULT_LIMITS, type EscalationLimits } from '../../problems/escalation';
import { commitPlan, SYSTEM } from './post';
import type { StoredEvent } from '../log';

const BATCH = 200;

export interface DeadlineCheck {
	/** the instant the check counts days from (tests move it; the day is Asia/Shanghai's) */
	now?: Date;
	limits?: EscalationLimits;
}

/** Commits the watcher's change of one problem; an item that changed since it was listed is skipped. */
async function commitMark(db: Sql, action: string, problem: number, plan: Parameters<typeof commitPlan>[2]): Promise<StoredEvent[]> {
	try {
		return await commitPlan(SYSTEM, action, plan, db, `problem:${problem}`);
	} catch (error) {
		if (error instanceof NotDue || (error instanceof ApiError && error.status === 404)) return [];
		throw error;
	}
}

/**
 * Marks problems whose deadline passed before today (Asia/Shanghai) and are not closed as
 * overdue, one `problem.overdue` each, and escalates those overdue past the limits
 * (`problem.escalated`: more than `city` days → the city, more than `province` → the
 * province). Each mark is one write through the event write path (the change, the counters,
 * the audit row, the events), all of them queued at once so that they share commit batches;
 * the flags make each mark once per problem, across restarts and nodes. Returns the events
 * appended, in seq order.
 */
export async function markOverdue(db: Sql = defaultSql, { now = new Date(), limits = DEFAULT_LIMITS }: DeadlineCheck = {}): Promise<StoredEvent[]> {
	const today = dayOf(now);
	const due = await db`
		select id from problem
		where status <> 'closed' and not is_overdue and deadline < ${today}::date
		order by deadline, id limit ${BATCH}`;
	// queued together, the marks commit in a few batches rather than one commit each
	const marked = await Promise.all(due.map(({ id }) => commitMark(db, 'overdue', Number(id), (tx) => problemOverdue(tx, Number(id), today))));
	const late = await db`
		select id from problem
		where status <> 'closed' and is_overdue
			and (case when deadline < ${today}::date - ${limits.province}::int then 2 when deadline < ${today}::date - ${limits.city}::int then 1 else 0 end)
				> (case escalation when 'province' then 2 when 'city' then 1 else 0 end)
		order by deadline, id limit ${BATCH}`;
	const escalated = await Promise.all(late.map(({ id }) => commitMark(db, 'escalated', Number(id), (tx) => problemEscalation(tx, Number(id), today, limits))));
	return [...marked, ...escalated].flat().sort((a, b) => a.seq - b.seq);
}

/** Checks deadlines now and then every `intervalMs`; returns the function that stops it. */
export function watchDeadlines(intervalMs = 60_000, limits: EscalationLimits = DEFAULT_LIMITS): () => void {
	let running = false;
	const check = async () => {
		if (running) return;
		running = true;
		try {
			// a full batch means more may be due: go on until none is left
			while ((await markOverdue(defaultSql, { limits })).length >= BATCH);
		} catch (error) {
			console.error('deadline check failed:', (error as Error).message);
		} finally {
			running = false;
		}
	};
	void check();
	const timer = setInterval(() => void check(), intervalMs);
	timer.unref();
	return () => clearInterval(timer);
}
