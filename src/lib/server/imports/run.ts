import { randomUUID } from 'node:crypto';
import { sql as defaultSql, type Db, type Sql } from '../db';
import type { UserViewer } from '../events/write/planners';
import { commitBulk, type BulkApplied } from '../events/write/post';
import { findRegion } from '../geo/regions';
import { ApiError } from '../http/errors';
import { holdCounties } from '../indicators/counters';
import { LISTED_ERRORS, type ImportError, type ImportKind, type ImportResult } from '$lib/types/imports';
import { RowCheck, type Cell } from './cells';
import { impliedCounties } from './checks';
import { facilities } from './facilities';
import { readHeader } from './header';
import { dropStaged, finishJob, jobProgress, startJob } from './jobs';
import type { ImportSpec } from './kind';
import { patients } from './patients';
import { problems } from './problems';
import { coverage } from './scope';
import { blank, openSource } from './sources';
import type { Upload } from './upload';
import { villages } from './villages';

export const SPECS: Record<ImportKind, ImportSpec> = { villages, facilities, patients, problems };

/** Rows staged per statement; errors kept per job (the rest are counted). */
const BATCH = 2_000;
const MAX_KEPT_ERRORS = 100_000;
const PROGRESS_MS = 500;
const SAMPLES = 20;

export interface ImportInput {
	kind: ImportKind;
	upload: Upload;
	dryRun: boolean;
	/** the uploader's id for the job, to poll its progress (one is made otherwise) */
	job?: string;
	fileName?: string | null;
}

/** A file with bad rows: nothing was written. The answer lists the first of them; errors.csv has them all. */
export class ImportRefused extends ApiError {
	constructor(
		readonly job: string,
		readonly total: number,
		details: ImportError[],
		message = `文件中有 ${total} 处错误，未导入任何数据：请按提示修改后重新上传`
	) {
		super(422, 'invalid_rows', message, details);
	}
}

/**
 * Imports a file of one kind, all or nothing: its rows are read as they arrive and staged,
 * checked together (codes, scope, places, duplicates), and either refused with every bad row,
 * counted (dry run), or applied in one transaction that moves the counters and announces the
 * change (`commitBulk`).
 */
export async function runImport(viewer: UserViewer, input: ImportInput, db: Sql = defaultSql): Promise<ImportResult> {
	const spec = SPECS[input.kind];
	const job = input.job ?? randomUUID();
	const upload = input.upload;
	await startJob(db, { id: job, userId: viewer.id, kind: spec.kind, fileName: input.fileName ?? null, dryRun: input.dryRun, totalBytes: upload.declared });
	try {
		const { rows, ignored } = await stage(db, spec, job, upload);
		await jobProgress(db, job, { phase: 'checking', rows, bytes: upload.bytes });
		await checkStaged(db, viewer, spec, job);
		const result = input.dryRun ? await preview(db, spec, job, rows, ignored) : await apply(db, viewer, spec, job, rows, ignored, input.fileName ?? null);
		await finishJob(db, job, 'done', result);
		return result;
	} catch (error) {
		upload.stop();
		await finishJob(db, job, 'failed', { error: printable((error as Error).message) }).catch(() => {});
		throw error;
	} finally {
		await dropStaged(db, job).catch(() => {});
	}
}

/** Reads and stages every row, with the errors each row shows on its own; the row count and the columns not read. */
async function stage(db: Db, spec: ImportSpec, job: string, upload: Upload): Promise<{ rows: number; ignored: string[] }> {
	const source = await openSource(upload, { geojson: spec.geojson });
	const head = await source.header();
	if (!head) throw new ImportRefused(job, 1, [{ row: 1, field: '', message: '文件是空的：第一行应为表头' }], '文件是空的');
	const header = readHeader(spec.kind, head.cells.map((cell) => (cell === null || cell === undefined ? '' : String(cell))), head.row);
	if (header.errors.length) {
		await saveErrors(db, job, header.errors);
		throw new ImportRefused(job, header.errors.length, header.errors, '表头不正确，未导入任何数据：请使用模板中的列名');
	}
	let rows = 0;
	let kept = 0;
	let errors = 0;
	let batch: Record<string, unknown>[] = [];
	let batchErrors: ImportError[] = [];
	let writing: Promise<unknown> = Promise.resolve();
	let reported = Date.now();
	const flush = async () => {
		// the previous batch is written while this one was read; one at a time
		await writing;
		const [staged, bad] = [batch, batchErrors];
		batch = [];
		batchErrors = [];
		const progress = Date.now() - reported > PROGRESS_MS ? jobProgress(db, job, { rows, bytes: upload.bytes, errors }) : null;
		if (progress) reported = Date.now();
		writing = Promise.all([staged.length ? spec.stage(db, job, staged) : null, bad.length ? saveErrors(db, job, bad) : null, progress]);
		// awaited before the next batch or at the end; a failure while the file is still read is not left unhandled
		writing.catch(() => {});
	};
	for await (const { row, cells, problems } of source.rows()) {
		if (blank(cells)) continue;
		rows++;
		const byField = new Map<string, Cell>();
		for (const [field, position] of header.positions) byField.set(field, cells[position]);
		const check = new RowCheck(row, byField, header.columns);
		for (const problem of problems ?? []) check.fail(problem.field, problem.message);
		const values = spec.read(check);
		batch.push({ row, ...values });
		errors += check.errors.length;
		for (const error of check.errors) if (kept++ < MAX_KEPT_ERRORS) batchErrors.push(error);
		if (batch.length >= BATCH) await flush();
	}
	await flush();
	await writing;
	if (!rows) throw new ImportRefused(job, 1, [{ row: head.row + 1, field: '', message: '文件中只有表头，没有数据行' }], '文件中没有数据行');
	return { rows, ignored: header.ignored };
}

// control characters of a file (a NUL above all) are not stored text: shown as � in the messages that quote a cell
const printable = (text: string) => text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\uFFFD');

function saveErrors(db: Db, job: string, raw: ImportError[]) {
	const errors = raw.map((e) => ({ row: e.row, field: printable(e.field), message: printable(e.message) }));
	return db`
		insert into import_error (job, row, field, message)
		select ${job}, e.row, e.field, e.message from jsonb_to_recordset(${db.json(errors as never)}) as e(row int, field text, message text)`;
}

/** The checks on the whole staged file; refuses it with the first errors when there are any. */
async function checkStaged(db: Db, viewer: UserViewer, spec: ImportSpec, job: string): Promise<void> {
	let [{ total }] = await db`select count(*)::int as total from import_error where job = ${job}`;
	if (total < MAX_KEPT_ERRORS) {
		const implied = await impliedCounties(db, job, spec.table, spec.refColumn);
		await spec.check(db, job, await coverage(db, viewer, implied));
		[{ total }] = await db`select count(*)::int as total from import_error where job = ${job}`;
	}
	if (!total) return;
	const listed = await db`select row, field, message from import_error where job = ${job} order by row, id limit ${LISTED_ERRORS}`;
	await jobProgress(db, job, { errors: total });
	throw new ImportRefused(job, total, listed.map((e) => ({ row: e.row, field: e.field, message: e.message })));
}

async function counted(db: Db, spec: ImportSpec, job: string) {
	const [counts] = await db`
		select count(*) filter (where change = 'insert')::int as inserted, count(*) filter (where change = 'update')::int as updated
		from ${db(spec.table)} where job = ${job}`;
	const samples = async (change: string) =>
		(await db`select ${db(spec.key)} as code from ${db(spec.table)} where job = ${job} and change = ${change} order by row limit ${SAMPLES}`).map((r) => (r.code as string) ?? '（自动编号）');
	return { inserted: counts.inserted as number, updated: counts.updated as number, samples: { inserted: await samples('insert'), updated: await samples('update') } };
}

/** What the file would write, without writing it. */
async function preview(db: Db, spec: ImportSpec, job: string, rows: number, ignored: string[]): Promise<ImportResult> {
	await spec.mark(db, job);
	const { inserted, updated, samples } = await counted(db, spec, job);
	return { job, kind: spec.kind, dry_run: true, rows, inserted, updated, unchanged: rows - inserted - updated, samples, ignored_columns: ignored };
}

// what a failed write says: the data met a rule of the database the checks did not foresee
const CONSTRAINT = new Set(['23502', '23503', '23505', '23514', '22001', '22003', '22007', '22008']);
const CONFLICT = new Set(['40001', '40P01', '55P03']);

/** Applies the staged file in one transaction: records, counters, audit row and events, then commit. */
async function apply(db: Sql, viewer: UserViewer, spec: ImportSpec, job: string, rows: number, ignored: string[], fileName: string | null): Promise<ImportResult> {
	const scope = viewer.scope ? await findRegion(viewer.scope.code, db) : null;
	if (!scope) throw new ApiError(403, 'forbidden', '当前账号没有管辖范围，不能导入');
	await jobProgress(db, job, { phase: 'applying' });
	let result: ImportResult | null = null;
	try {
		await commitBulk(
			viewer,
			async (tx): Promise<BulkApplied> => {
				await tx`set local statement_timeout = '15min'`;
				await spec.mark(tx, job);
				const counties = await spec.counties(tx, job);
				const { samples } = await counted(tx, spec, job);
				await spec.lock(tx, job);
				await holdCounties(tx, counties);
				const written = await spec.write(tx, job);
				const unchanged = rows - written.inserted - written.updated;
				result = { job, kind: spec.kind, dry_run: false, rows, ...written, unchanged, samples, ignored_columns: ignored };
				return {
					counties,
					audit: { action: 'import', entity: 'import', entityId: job, after: { kind: spec.kind, file: fileName, rows, ...written, unchanged } },
					events: [{ type: 'import.applied', region: scope, payload: { kind: spec.kind, job, rows, ...written, unchanged } }]
				};
			},
			db
		);
	} catch (error) {
		const code = (error as { code?: string }).code ?? '';
		if (CONSTRAINT.has(code)) {
			const message = '数据不符合数据库的约束，未导入任何数据（可能有状态或取值本系统尚不支持）：请核对后重新上传';
			throw new ImportRefused(job, 1, [{ row: 1, field: '', message }], message);
		}
		if (CONFLICT.has(code)) throw new ApiError(409, 'conflict', '导入时与其他正在进行的修改冲突，未导入任何数据：请重新导入');
		throw error;
	}
	return result!;
}
