import { sql as defaultSql, type Sql } from '../db';
import { audit } from '../auth/audit';
import { findRegion } from '../geo/regions';
import { changeUnits } from '../indicators/counters';
import { appendEvents, type NewEvent, type StoredEvent } from './log';
import { publish } from './publish';

const BATCH = 200;

/**
 * Marks open problems whose deadline has passed as overdue and appends one `problem.overdue`
 * per problem, with the counters and an audit row, in one transaction. The flag makes it once
 * per problem, across restarts; `skip locked` makes it once across nodes watching together.
 * Returns the events appended.
 */
export async function markOverdue(db: Sql = defaultSql): Promise<StoredEvent[]> {
	const events = await db.begin(async (tx) => {
		const due = await tx`
			select id, code, region_code, deadline::text as deadline, supervised from problem
			where status <> 'closed' and not is_overdue and deadline < current_date
			order by deadline, id
			limit ${BATCH}
			for update skip locked
		`;
		const planned: NewEvent[] = [];
		for (const problem of due) {
			const region = await findRegion(problem.region_code, tx);
			if (!region) continue;
			await changeUnits(tx, [problem.region_code], () => tx`update problem set is_overdue = true, updated_at = now() where id = ${problem.id}`);
			await audit(tx, null, { action: 'overdue', entity: 'problem', entityId: problem.id, before: { is_overdue: false }, after: { is_overdue: true } });
			const payload = { problem: Number(problem.id), code: problem.code, deadline: problem.deadline, supervised: problem.supervised };
			const path = { province: region.provinceCode, city: region.cityCode, county: region.countyCode, township: null, village: null };
			planned.push({ type: 'problem.overdue', region, actor: 'system', payload });
			planned.push({ type: 'indicators.changed', region: path, actor: 'system', payload: {}, causeIndex: planned.length - 1, indicators: true });
		}
		// all at once, last: the event lock is held from here to commit
		return planned.length ? appendEvents(tx, planned) : ([] as StoredEvent[]);
	});
	publish(events);
	return events;
}

/** Checks deadlines now and then every `intervalMs`; returns the function that stops it. */
export function watchDeadlines(intervalMs = 60_000): () => void {
	let running = false;
	const check = async () => {
		if (running) return;
		running = true;
		try {
			// a full batch means more may be due: go on until none is left
			while ((await markOverdue()).length >= BATCH * 2);
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
