import type { Db } from '../db';
import type { Viewer } from './viewer';

export interface AuditEntry {
	action: string;
	entity: string;
	entityId: string | number | null;
	before?: unknown;
	after?: unknown;
}

const actorOf = (viewer: Viewer | null) =>
	!viewer ? { actor: 'system', role: null } : viewer.kind === 'user' ? { actor: viewer.username, role: viewer.role } : { actor: `kiosk:${viewer.id}`, role: 'kiosk' };

/** Appends to the audit log; call it with the transaction that makes the change. */
export async function audit(tx: Db, viewer: Viewer | null, entry: AuditEntry): Promise<void> {
	const { actor, role } = actorOf(viewer);
	await tx`
		insert into audit_log (actor, role, action, entity, entity_id, before, after)
		values (${actor}, ${role}, ${entry.action}, ${entry.entity}, ${entry.entityId === null ? null : String(entry.entityId)},
			${entry.before === undefined ? null : tx.json(entry.before as never)}, ${entry.after === undefined ? null : tx.json(entry.after as never)})
	`;
}

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
	const rows = await db`
		select id, at, actor, role, action, entity, entity_id, before, after, count(*) over () as total
		from audit_log
		where true
			${f.actor ? db`and actor = ${f.actor}` : db``}
			${f.entity ? db`and entity = ${f.entity}` : db``}
			${f.action ? db`and action = ${f.action}` : db``}
			${f.from ? db`and at >= ${f.from}::date` : db``}
			${f.to ? db`and at < ${f.to}::date + 1` : db``}
		order by id desc
		limit ${f.limit} offset ${f.offset}
	`;
	return {
		total: rows.length ? Number(rows[0].total) : 0,
		items: rows.map(({ total: _total, entity_id, ...row }) => ({ ...row, entityId: entity_id }))
	};
}
