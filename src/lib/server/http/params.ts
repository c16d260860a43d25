import { z } from 'zod';
import { LEVELS } from '$lib/indicators';

/** Reads the query string with a zod schema; unknown parameters are ignored. */
export function query<T extends z.ZodType>(url: URL, schema: T): z.infer<T> {
	return schema.parse(Object.fromEntries(url.searchParams));
}

export const page = {
	limit: z.coerce.number().int().min(1).max(10_000).optional(),
	offset: z.coerce.number().int().min(0).default(0)
};

export const level = z.enum(LEVELS);
