/** The ledger's writes from the browser: JSON to PATCH, one file to the evidence endpoint; errors with their fields. */
import type { EvidenceRef } from '$lib/types/events';

export interface FieldErrors {
	message: string;
	fields: Record<string, string>;
}

export class RequestFailed extends Error {
	constructor(
		readonly status: number,
		readonly errors: FieldErrors
	) {
		super(errors.message);
	}
}

async function answer<T>(res: Response): Promise<T> {
	const body = await res.json().catch(() => null);
	if (res.ok) return body as T;
	const error = body?.error ?? { message: `HTTP ${res.status}` };
	const fields: Record<string, string> = {};
	for (const detail of error.details ?? []) if (detail.field) fields[String(detail.field).replace(/^payload\./, '')] = detail.message;
	throw new RequestFailed(res.status, { message: error.message, fields });
}

export const patchProblem = async <T>(id: number, body: Record<string, unknown>): Promise<T> =>
	answer<T>(await fetch(`/api/problems/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));

export async function uploadEvidence(id: number, file: File): Promise<EvidenceRef> {
	const form = new FormData();
	form.append('file', file, file.name);
	return answer<EvidenceRef>(await fetch(`/api/problems/${id}/evidence`, { method: 'POST', body: form }));
}

/** A progress event through POST /api/events, with its own Idempotency-Key: a retry is applied once. */
export async function postEvent(type: string, payload: Record<string, unknown>, key: string = crypto.randomUUID()): Promise<{ seq: number }> {
	return answer(await fetch('/api/events', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ type, payload }) }));
}
