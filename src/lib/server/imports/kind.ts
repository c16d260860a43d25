import type { Db } from '../db';
import type { ImportKind } from '$lib/types/imports';
import type { RowCheck } from './cells';
import type { Coverage } from './scope';

/** What applying a staged file wrote. */
export interface Written {
	inserted: number;
	updated: number;
}

/**
 * One kind of import: how a row is read, staged and checked, and how the staged file is applied.
 * Every step names its stage table itself; `job` keys the file's rows in it.
 */
export interface ImportSpec {
	kind: ImportKind;
	/** the stage table and its key column (the file's code or id) */
	table: string;
	key: string;
	/** whether GeoJSON points are taken (villages, facilities) */
	geojson: boolean;
	/** the largest file taken, in bytes */
	limit: number;
	/** the row's values to stage, in the stage table's columns; its errors go to `check` */
	read(check: RowCheck): Record<string, unknown>;
	/** inserts a batch of read rows (each with its `row`) into the stage table */
	stage(db: Db, job: string, rows: Record<string, unknown>[]): Promise<unknown>;
	/** the checks that need the database or the whole file; errors into import_error */
	check(db: Db, job: string, scope: Coverage): Promise<void>;
	/** the columns whose codes imply a county, for the scope of codes that do not exist */
	refColumn: string;
	/** sets each staged row's `change` (insert, update or null) and what it replaces */
	mark(db: Db, job: string): Promise<void>;
	/** the counties whose counters the marked rows move (old and new places) */
	counties(db: Db, job: string): Promise<string[]>;
	/** locks the stored records the marked rows update, in key order */
	lock(tx: Db, job: string): Promise<void>;
	/** applies the marked rows */
	write(tx: Db, job: string): Promise<Written>;
}

/** The counties of the regions in a stage column and in the records a staged row replaces. */
export async function countiesOf(db: Db, job: string, table: string, column: string, old: string | null): Promise<string[]> {
	const rows = await db`
		select distinct coalesce(r.county_code, r.code) as code
		from ${db(table)} s
			cross join lateral (values (s.${db(column)}), (${old === null ? db`null::text` : db`s.${db(old)}`})) as u(code)
			join region r on r.code = u.code
		where s.job = ${job} and s.change is not null`;
	return rows.map((row) => row.code as string);
}
