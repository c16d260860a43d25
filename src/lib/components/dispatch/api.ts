/** The console's calls: JSON in and out, a refusal thrown with the server's own message. */
export class ApiFailure extends Error {
	constructor(
		readonly status: number,
		message: string
	) {
		super(message);
	}
}

export async function request<T>(path: string, { method = 'GET', json, key }: { method?: string; json?: unknown; key?: string } = {}): Promise<T> {
	const headers: Record<string, string> = {};
	if (json !== undefined) headers['content-type'] = 'application/json';
	if (key) headers['idempotency-key'] = key;
	const response = await fetch(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
	const body = await response.json().catch(() => null);
	if (!response.ok) {
		const error = (body as { error?: { message?: string; details?: { field?: string; message: string }[] } } | null)?.error;
		const details = error?.details?.map((d) => d.message).join('；');
		throw new ApiFailure(response.status, [error?.message, details].filter(Boolean).join('：') || `HTTP ${response.status}`);
	}
	return body as T;
}
