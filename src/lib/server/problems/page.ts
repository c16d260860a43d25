import { error } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { ApiError } from '../http/errors';

/** A page load's failure as SvelteKit's error page shows it: the API's status and words, never a 500 for bad input. */
export async function orPageError<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (e) {
		if (e instanceof ApiError) error(e.status, { code: e.code, message: e.message });
		if (e instanceof ZodError) error(400, { code: 'invalid_request', message: e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；') });
		throw e;
	}
}
