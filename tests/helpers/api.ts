import { inject } from 'vitest';
import postgres from 'postgres';

export const baseUrl = () => inject('baseUrl');

export async function get(path: string, init: RequestInit = {}) {
	const res = await fetch(`${baseUrl()}${path}`, init);
	const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
	return { status: res.status, body };
}

/** A direct connection to the app server's database, for checking what the API answered. */
export function appDatabase() {
	return postgres(inject('dbUrl'), {
		max: 2,
		onnotice: () => {},
		types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } }
	});
}
