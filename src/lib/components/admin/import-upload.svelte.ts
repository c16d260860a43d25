import type { ImportError, ImportKind, ImportProgress, ImportResult } from '$lib/types/imports';

export type UploadPhase = 'idle' | 'checking' | 'checked' | 'refused' | 'importing' | 'imported' | 'failed';

/** A refused file: the first errors, how many there are in all, and where to download them. */
export interface Refusal {
	message: string;
	total: number;
	details: ImportError[];
	errorsCsv: string | null;
}

const POLL_MS = 500;

/**
 * One file through the import: checked first (`?dry_run=1`), imported once confirmed. While a
 * request is under way the server's progress is polled by the job's id, so that the page shows
 * how far a large file has got.
 */
export class ImportUpload {
	phase = $state<UploadPhase>('idle');
	kind = $state<ImportKind>('villages');
	file = $state<File | null>(null);
	progress = $state<ImportProgress | null>(null);
	result = $state<ImportResult | null>(null);
	refusal = $state<Refusal | null>(null);
	failure = $state<string | null>(null);

	readonly busy = $derived(this.phase === 'checking' || this.phase === 'importing');

	choose(kind: ImportKind, file: File | null): void {
		this.kind = kind;
		this.file = file;
		this.phase = 'idle';
		this.result = null;
		this.refusal = null;
		this.failure = null;
		this.progress = null;
	}

	check(): Promise<void> {
		return this.send(true);
	}

	confirm(): Promise<void> {
		return this.send(false);
	}

	private async send(dryRun: boolean): Promise<void> {
		const file = this.file;
		if (!file || this.busy) return;
		this.phase = dryRun ? 'checking' : 'importing';
		this.refusal = null;
		this.failure = null;
		this.progress = null;
		const job = crypto.randomUUID();
		let polling = true;
		const poll = async () => {
			while (polling) {
				await new Promise((resolve) => setTimeout(resolve, POLL_MS));
				if (!polling) break;
				const res = await fetch(`/api/imports/jobs/${job}`).catch(() => null);
				if (res?.ok && polling) this.progress = (await res.json()) as ImportProgress;
			}
		};
		void poll();
		try {
			const params = new URLSearchParams({ job, name: file.name });
			if (dryRun) params.set('dry_run', '1');
			const res = await fetch(`/api/imports/${this.kind}?${params}`, {
				method: 'POST',
				// the content says what the file is; a type the server would take for a form is not sent
				headers: { 'content-type': 'application/octet-stream' },
				body: file
			});
			const body = await res.json().catch(() => null);
			if (res.ok) {
				this.result = body as ImportResult;
				this.phase = dryRun ? 'checked' : 'imported';
			} else if (res.status === 422 && body?.error?.details) {
				const error = body.error;
				this.refusal = { message: error.message, total: error.total ?? error.details.length, details: error.details, errorsCsv: error.errors_csv ?? null };
				this.phase = 'refused';
			} else {
				this.failure = body?.error?.message ?? `服务器返回 ${res.status}`;
				this.phase = 'failed';
			}
		} catch {
			this.failure = '上传中断：请检查网络后重新上传';
			this.phase = 'failed';
		} finally {
			polling = false;
		}
	}
}
