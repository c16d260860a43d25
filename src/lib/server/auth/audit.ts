import { z } from 'zod';
import type { Db } from '../db';
import type { Viewer } from './viewer';
import { calendarDay } from '../http/input';

export interface AuditEntry {
	action: string;
	entity: string;
	entityId: string | number | null;
	before?: unknown;
	after?: unknown;
}

/** Who made a change, as the log names them; null is the system itself (seed, scripts). */
export type Actor = Viewer | { actor: string; role: string } | null;

const actorOf = (who: Actor) =>
	!who
		? { actor: 'system', role: null }
		: 'actor' in who
			? who
			: who.kind === 'user'
				? { actor: who.username, role: who.role }
				: { actor: `kiosk:${who.id}`, role: 'kiosk' };

/** Appends to the audit log; call it with the transaction that makes the change. */
export async function audit(tx: Db, who: Actor, entry: AuditEntry): Promise<void> {
	const { actor, role } = actorOf(who);
	await tx`
		insert into audit_log (actor, role, action, entity, entity_id, before, after)
		values (${actor}, ${role}, ${entry.action}, ${entry.entity}, ${entry.entityId === null ? null : String(entry.entityId)},
			${entry.before === undefined ? null : tx.json(entry.before as never)}, ${entry.after === undefined ? null : tx.json(entry.after as never)})
	`;
}

/** Appends many audit rows with one statement, in their order; call it with the transaction that makes the changes. */
export function auditAll(tx: Db, rows: { who: Actor; entry: AuditEntry }[]) {
	const records = rows.map(({ who, entry }, i) => ({
		ord: i,
		...actorOf(who),
		action: entry.action,
		entity: entry.entity,
		entity_id: entry.entityId === null ? null : String(entry.entityId),
		before: entry.before === undefined ? null : entry.before,
		after: entry.after === undefined ? null : entry.after
	}));
	return tx`
		insert into audit_log (actor, role, action, entity, entity_id, before, after)
		select r.actor, r.role, r.action, r.entity, r.entity_id, r.before, r.after
		from jsonb_to_recordset(${tx.json(records as never)})
			as r(ord int, actor text, role text, action text, entity text, entity_id text, before jsonb, after jsonb)
		order by r.ord`;
}

/** Filters of the audit log, as the API and the admin page accept them. */
export const auditFilters = z.object({
	actor: z.string().max(60, '最多60个字符').optional(),
	entity: z.string().max(40, '最多40个字符').optional(),
	action: z.string().max(40, '最多40个字符').optional(),
	from: calendarDay.optional(),
	to: calendarDay.optional()
});

export interface AuditFilter {
	actor?: string;
	entity?: string;
	action?: string;
	from?: string;
	to?: string;
	limit: number;
	offset: number;
}

export async function auditLog(db: Db, f: AuditFilter) {
	const where = db`
		where true
			${f.actor ? db`and actor = ${f.actor}` : db``}
			${f.entity ? db`and entity = ${f.entity}` : db``}
			${f.action ? db`and action = ${f.action}` : db``}
			${f.from ? db`and at >= ${f.from}::date` : db``}
			${f.to ? db`and at < ${f.to}::date + 1` : db``}`;
	const [rows, [{ total }]] = await Promise.all([
		db`select id, at, actor, role, action, entity, entity_id, before, after from audit_log ${where}
			order by id desc limit ${f.limit} offset ${f.offset}`,
		db`select count(*)::int as total from audit_log ${where}`
	]);
	return { total, items: rows.map(({ entity_id, ...row }) => ({ ...row, entityId: entity_id })) };
}
