import type { Db } from '../db';
import type { ImportKind } from '$lib/types/imports';

export interface ImportRecord {
	at: string;
	actor: string | null;
	job: string | null;
	kind: ImportKind;
	file: string | null;
	rows: number;
	inserted: number;
	updated: number;
	unchanged: number;
}

/** The imports that were applied, newest first, as the audit log records them (who, when, what, counts). */
export async function importHistory(db: Db, { limit, offset }: { limit: number; offset: number }): Promise<{ items: ImportRecord[]; total: number }> {
	const [rows, [{ total }]] = await Promise.all([
		db`select at, actor, entity_id, after from audit_log where action = 'import' and entity = 'import' order by id desc limit ${limit} offset ${offset}`,
		db`select count(*)::int as total from audit_log where action = 'import' and entity = 'import'`
	]);
	const items = rows.map((row) => {
		const after = (row.after ?? {}) as Record<string, unknown>;
		return {
			at: new Date(row.at).toISOString(),
			actor: row.actor,
			job: row.entity_id,
			kind: after.kind as ImportKind,
			file: (after.file as string | null) ?? null,
			rows: Number(after.rows ?? 0),
			inserted: Number(after.inserted ?? 0),
			updated: Number(after.updated ?? 0),
			unchanged: Number(after.unchanged ?? 0)
		};
	});
	return { items, total };
}
