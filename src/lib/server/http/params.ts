import { z } from 'zod';
import { LEVELS, type Level } from '$lib/indicators';
import type { Region } from '../geo/regions';
import { ApiError } from './errors';

/** Reads the query string with a zod schema; unknown parameters are ignored. */
export function query<T extends z.ZodType>(url: URL, schema: T): z.infer<T> {
	return schema.parse(Object.fromEntries(url.searchParams));
}

/** The most rows one page may hold, and the farthest into a list it may start. */
export const MAX_LIMIT = 10_000;
export const MAX_OFFSET = 1_000_000;

export const page = {
	limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
	offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0)
};

export const level = z.enum(LEVELS);

/**
 * Villages of a city or a province, the one list the counters do not keep: each page is summed
 * from the records of the counties it touches, so it is read a page at a time, of at most this many.
 */
export const MAX_VILLAGES_ACROSS_COUNTIES = 1_000;

/**
 * What one request may ask for of the regions at `level` inside `within`: a level below it, and
 * villages above a county only a bounded page at a time (400 otherwise, saying what to ask).
 */
export function boundedLevel(within: Region, level: Level, limit: number | undefined, { below = true } = {}): void {
	const gap = LEVELS.indexOf(level) - LEVELS.indexOf(within.level);
	if (below ? gap <= 0 : gap < 0) {
		throw new ApiError(400, 'invalid_level', below ? 'level 应低于该地区的层级' : `level 应不高于 ${within.level}`);
	}
	if (level === 'village' && within.countyCode === null && (limit === undefined || limit > MAX_VILLAGES_ACROSS_COUNTIES)) {
		throw new ApiError(400, 'limit_too_large', `县以上地区的村请分页读取：limit 应在 1 到 ${MAX_VILLAGES_ACROSS_COUNTIES} 之间`, [
			{ field: 'limit', message: `at most ${MAX_VILLAGES_ACROSS_COUNTIES} villages of a city or province per page` }
		]);
	}
}
