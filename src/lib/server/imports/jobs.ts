import type { Db } from '../db';
import { ApiError } from '../http/errors';
import type { ImportKind, ImportProgress } from '$lib/types/imports';

export const JOB_ID = /^[A-Za-z0-9-]{8,64}$/;

/** How long a finished job's errors stay downloadable, and when an unfinished one is taken for dead. */
const KEEP = '1 day';
const DEAD = '1 hour';

const STAGES = ['import_village', 'import_facility', 'import_patient', 'import_problem'] as const;

export interface JobStart {
	id: string;
	userId: number;
	kind: ImportKind;
	fileName: string | null;
	dryRun: boolean;
	totalBytes: number | null;
}

/** Registers a job (its id the uploader's, to poll its progress); 409 when the id is taken. */
export async function startJob(db: Db, job: JobStart): Promise<void> {
	await pruneJobs(db);
	const [row] = await db`
		insert into import_job (id, user_id, kind, file_name, dry_run, total_bytes)
		values (${job.id}, ${job.userId}, ${job.kind}, ${job.fileName}, ${job.dryRun}, ${job.totalBytes})
		on conflict (id) do nothing
		returning id`;
	if (!row) throw new ApiError(409, 'job_exists', '该导入任务编号已被使用，请重新上传');
}

export async function jobProgress(db: Db, id: string, fields: { phase?: ImportProgress['phase']; rows?: number; bytes?: number; errors?: number }): Promise<void> {
	await db`
		update import_job set phase = coalesce(${fields.phase ?? null}, phase), rows = coalesce(${fields.rows ?? null}::int, rows),
			bytes = coalesce(${fields.bytes ?? null}::bigint, bytes), errors = coalesce(${fields.errors ?? null}::int, errors), updated_at = now()
		where id = ${id}`;
}

export async function finishJob(db: Db, id: string, phase: 'done' | 'failed', result: object): Promise<void> {
	await db`update import_job set phase = ${phase}, result = ${db.json(result as never)}, finished_at = now(), updated_at = now() where id = ${id}`;
}

/** A user's own job, as its uploader polls it; null for anyone else's (or none). */
export async function readJob(db: Db, id: string, userId: number): Promise<ImportProgress | null> {
	if (!JOB_ID.test(id)) return null;
	const [row] = await db`
		select id, kind, dry_run, phase, rows, bytes, total_bytes, errors from import_job where id = ${id} and user_id = ${userId}`;
	if (!row) return null;
	return { job: row.id, kind: row.kind, dry_run: row.dry_run, phase: row.phase, rows: row.rows, bytes: Number(row.bytes), total_bytes: row.total_bytes === null ? null : Number(row.total_bytes), errors: row.errors };
}

/** A job's errors in row order, for the CSV the uploader downloads. */
export const jobErrors = (db: Db, id: string) => db`select row, field, message from import_error where job = ${id} order by row, id`;

/** Drops the staged rows of a job. */
export async function dropStaged(db: Db, id: string): Promise<void> {
	for (const table of STAGES) await db`delete from ${db(table)} where job = ${id}`;
}

/** Forgets jobs finished a day ago, and the staged rows of jobs that died unfinished (a crash). */
async function pruneJobs(db: Db): Promise<void> {
	await db`delete from import_job where finished_at < now() - ${KEEP}::interval`;
	const dead = await db`
		update import_job set phase = 'failed', finished_at = now()
		where finished_at is null and updated_at < now() - ${DEAD}::interval returning id`;
	for (const row of dead) await dropStaged(db, row.id);
}
