import type { RequestEvent } from '@sveltejs/kit';
import { ApiError } from '../http/errors';
import { findRegion, type Region } from '../geo/regions';

export const REGION_CODE = /^(\d{6}|\d{9}|\d{12})$/;

/**
 * The one scope check: every endpoint, page load, export and socket subscription that reads
 * or writes a region goes through here. Answers 404 for a region that does not exist.
 */
export async function regionInScope(_event: Pick<RequestEvent, 'locals'>, code: string): Promise<Region> {
	if (!REGION_CODE.test(code)) throw new ApiError(400, 'invalid_region', '地区代码应为6、9或12位数字');
	const region = await findRegion(code);
	if (!region) throw new ApiError(404, 'not_found', '没有找到该地区');
	// accounts and roles arrive with authentication; until then every caller reads everything
	return region;
}
