import type { Deliver, Delivery, QueuedPhoto } from './outbox.svelte';

/** Statuses worth trying again later: no session (sign in again), too many, the server away. */
const RETRY = new Set([401, 408, 425, 429, 500, 502, 503, 504]);

async function refusalOf(response: Response): Promise<Delivery> {
	let message = `HTTP ${response.status}`;
	try {
		const body = (await response.json()) as { error?: { message?: string; details?: { field?: string; message: string }[] } };
		const details = body.error?.details?.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join('；');
		message = [body.error?.message, details].filter(Boolean).join('：') || message;
	} catch {
		// not JSON: the status says enough
	}
	return { ok: false, retry: RETRY.has(response.status), message };
}

/**
 * Sends one queued finding of `team`: its photos first, each once under its own key, then the
 * finding under its key. A network failure throws, and the outbox tries again later.
 */
export function deliverTo(team: string): Deliver {
	return async (finding, uploaded) => {
		const evidence: string[] = [];
		for (const queued of finding.photos) {
			let photo: QueuedPhoto = queued;
			if (!photo.evidence) {
				const form = new FormData();
				form.append('file', photo.blob, photo.name);
				const response = await fetch(`/api/teams/${encodeURIComponent(team)}/photos`, { method: 'POST', body: form, headers: { 'idempotency-key': photo.key } });
				if (!response.ok) return refusalOf(response);
				photo = { ...photo, evidence: String(((await response.json()) as { id: string | number }).id) };
				await uploaded(photo);
			}
			evidence.push(photo.evidence!);
		}
		const response = await fetch(`/api/teams/${encodeURIComponent(team)}/findings`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'idempotency-key': finding.key },
			body: JSON.stringify({ ...finding.payload, ...(evidence.length ? { evidence } : {}) })
		});
		if (!response.ok) return refusalOf(response);
		const { problem } = (await response.json()) as { problem: { id: number; code: string; deadline: string } };
		return { ok: true, problem: { id: problem.id, code: problem.code, deadline: problem.deadline } };
	};
}
