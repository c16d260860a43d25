import { describe, expect, it } from 'vitest';
import { grantable } from '../../src/lib/server/auth/scope';
import { backoffSeconds, POLICY } from '../../src/lib/server/auth/rate-limit';
import type { Viewer } from '../../src/lib/server/auth/viewer';
import type { Region } from '../../src/lib/server/geo/regions';
import type { Level } from '../../src/lib/indicators';

const region = (code: string, level: Level): Region => ({
	code,
	name: code,
	level,
	parentCode: null,
	provinceCode: `${code.slice(0, 2)}0000`,
	cityCode: level === 'province' ? null : `${code.slice(0, 4)}00`,
	countyCode: level === 'province' || level === 'city' ? null : code.slice(0, 6),
	townshipCode: null,
	population: 0,
	isKey: false,
	synthetic: false
});

const user = (role: Extract<Viewer, { kind: 'user' }>['role'], code: string | null, level: Level = 'province'): Viewer => ({
	kind: 'user',
	id: 1,
	username: 'x',
	role,
	scope: code ? { level, code, name: code } : null,
	team: role === 'inspector' ? 'team-1' : null,
	sessionId: 's'
});

const PROVINCE = region('370000', 'province');
const CITY = region('371400', 'city');
const COUNTY = region('371424', 'county');
const OTHER_CITY = region('371300', 'city');
const GANSU = region('620000', 'province');

describe('grantable: nobody grants outside or above what they hold', () => {
	it('a province scope grants itself and everything in it, nothing of another province', () => {
		const admin = user('admin', '370000');
		expect([PROVINCE, CITY, COUNTY].map((r) => grantable(admin, r))).toEqual([true, true, true]);
		expect(grantable(admin, GANSU)).toBe(false);
	});

	it('a city scope grants its own counties, not its province nor a neighbour city', () => {
		const cityScoped = user('leader', '371400', 'city');
		expect(grantable(cityScoped, CITY)).toBe(true);
		expect(grantable(cityScoped, COUNTY)).toBe(true);
		expect(grantable(cityScoped, PROVINCE)).toBe(false);
		expect(grantable(cityScoped, OTHER_CITY)).toBe(false);
	});

	it('a county scope grants only its county', () => {
		const countyScoped = user('county_officer', '371424', 'county');
		expect(grantable(countyScoped, COUNTY)).toBe(true);
		expect(grantable(countyScoped, CITY)).toBe(false);
		expect(grantable(countyScoped, PROVINCE)).toBe(false);
	});

	it('an inspector, an account without scope, and a wall screen grant nothing', () => {
		expect(grantable(user('inspector', null), COUNTY)).toBe(false);
		expect(grantable(user('admin', null), COUNTY)).toBe(false);
		expect(grantable({ kind: 'kiosk', id: 1, name: 'wall', scope: { level: 'province', code: '370000', name: '山东省' } }, COUNTY)).toBe(false);
	});
});

describe('login backoff', () => {
	it('waits nothing below the threshold, then doubles from 1 s up to the cap', () => {
		const from = POLICY.account.backoffFrom;
		expect(backoffSeconds(from - 1)).toBe(0);
		expect([from, from + 1, from + 2, from + 3].map(backoffSeconds)).toEqual([1, 2, 4, 8]);
		expect(backoffSeconds(POLICY.account.limit)).toBe(POLICY.account.backoffMaxSeconds);
	});
});
