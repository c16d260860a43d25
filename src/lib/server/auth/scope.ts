import { sql, type Db } from '../db';
import { ApiError, notFound } from '../http/errors';
import { findRegion, PATH_COLUMN, type Region } from '../geo/regions';
import type { Level } from '$lib/indicators';
import type { Role, Viewer } from './viewer';

export const REGION_CODE = /^(\d{6}|\d{9}|\d{12})$/;

export interface Asker {
	locals: App.Locals;
}

/** The region code on `region`'s path at `level` (its own code at its own level). */
export function pathCode(region: Region, level: Level): string | null {
	switch (level) {
		case 'province':
			return region.provinceCode;
		case 'city':
			return region.cityCode;
		case 'county':
			return region.countyCode;
		case 'township':
			return region.townshipCode;
		case 'village':
			return region.level === 'village' ? region.code : null;
	}
}

/** Counties an inspector's team is sent to now: the only regions an inspector reads. */
async function assignedCounties(team: string): Promise<string[]> {
	const rows = await sql`select distinct county_code from assignment where team_id = ${team} and status in ('assigned', 'underway')`;
	return rows.map((row) => row.county_code as string);
}

/** Whether `viewer` may read `region`. Every path that shows a region asks this. */
export async function covers(viewer: Viewer, region: Region): Promise<boolean> {
	if (viewer.kind === 'user' && viewer.role === 'inspector') {
		return viewer.team !== null && region.countyCode !== null && (await assignedCounties(viewer.team)).includes(region.countyCode);
	}
	const scope = viewer.scope;
	return scope !== null && pathCode(region, scope.level) === scope.code;
}

export function requireViewer(asker: Asker): Viewer {
	const viewer = asker.locals.viewer;
	if (!viewer) throw new ApiError(401, 'unauthenticated', '请先登录');
	return viewer;
}

/** A signed-in user with one of `roles` (kiosk tokens never pass: they only read). */
export function requireRole(asker: Asker, ...roles: Role[]): Extract<Viewer, { kind: 'user' }> {
	const viewer = requireViewer(asker);
	if (viewer.kind !== 'user' || !roles.includes(viewer.role)) throw new ApiError(403, 'forbidden', '当前账号无权执行此操作');
	return viewer;
}

/**
 * The one scope check: every endpoint, page load, export and socket subscription that reads
 * a region goes through here. The answer for a region out of scope is the same whether or not
 * it exists, so nothing about other regions is learnt from it.
 */
export async function regionInScope(asker: Asker, code: string): Promise<Region> {
	const viewer = requireViewer(asker);
	if (!REGION_CODE.test(code)) throw new ApiError(400, 'invalid_region', '地区代码应为6、9或12位数字');
	const region = await findRegion(code);
	if (region && (await covers(viewer, region))) return region;
	// "not found" only where the code would lie inside the viewer's own scope
	if (!region && viewer.scope && code.startsWith(codePrefix(viewer.scope.code, viewer.scope.level))) throw notFound();
	throw new ApiError(403, 'forbidden', '无权访问该地区');
}

/**
 * Whether `granter` may hand out access to `region`: an account's scope, a kiosk token's region,
 * an import's rows, a team's base, an assignment's county. It must lie inside the granter's own
 * scope, at or below it, so that nobody grants wider than they hold (an admin of 山东省 makes
 * no account, token or import for 甘肃省, nor a nation-wide one). The one rule of every grant
 * path; what a role may grant at all is the route's `requireRole`. Inspectors and kiosk tokens
 * grant nothing.
 */
export function grantable(granter: Viewer, region: Region): boolean {
	const scope = grantingScope(granter);
	return scope !== null && pathCode(region, scope.level) === scope.code;
}

/** The scope a granter grants within: a signed-in user's region; none for inspectors and wall screens. */
const grantingScope = (granter: Viewer) => (granter.kind === 'user' && granter.role !== 'inspector' ? granter.scope : null);

/** `grantable` as a condition on the region table under `alias`, for lists of what a granter keeps. */
export function grantableWhere(db: Db, granter: Viewer, alias: string) {
	const scope = grantingScope(granter);
	return scope ? db`${db(alias)}.${db(PATH_COLUMN[scope.level])} = ${scope.code}` : db`false`;
}

/** The refusal of a grant outside the granter's scope: 403, naming the field. */
export const outsideScope = (field: string) =>
	new ApiError(403, 'forbidden', '不能授予本账号管辖范围以外的权限', [{ field, message: '不在本账号管辖范围内' }]);

/**
 * The region `code` names, when `granter` may grant it (see `grantable`); refused with
 * `outsideScope(field)` when it lies outside, whether or not it exists; null when it would lie
 * inside but does not exist (the caller says what it expected there).
 */
export async function grantableRegion(granter: Viewer, code: string, field: string, db: Db = sql): Promise<Region | null> {
	const region = REGION_CODE.test(code) ? await findRegion(code, db) : null;
	if (region) {
		if (!grantable(granter, region)) throw outsideScope(field);
		return region;
	}
	const scope = grantingScope(granter);
	if (!scope || !code.startsWith(codePrefix(scope.code, scope.level))) throw outsideScope(field);
	return null;
}

const PREFIX_LENGTH: Record<Level, number> = { province: 2, city: 4, county: 6, township: 9, village: 12 };
const codePrefix = (code: string, level: Level) => code.slice(0, PREFIX_LENGTH[level]);
