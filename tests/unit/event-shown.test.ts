import { describe, expect, it } from 'vitest';
import { EVERYONE, readerKey, readerOf, shown, type StoredEvent } from '../../src/lib/server/events/log';
import type { Viewer } from '../../src/lib/server/auth/viewer';
import type { Level } from '../../src/lib/indicators';

const user = (role: string, scope: { level: Level; code: string } | null, team: string | null = null): Viewer =>
	({ kind: 'user', id: 1, username: role, role, scope: scope && { ...scope, name: scope.code }, team, sessionId: 's' }) as Viewer;
const kiosk = (level: Level, code: string): Viewer => ({ kind: 'kiosk', id: 1, name: 'wall', scope: { level, code, name: code } });

const path = { province: '370000', city: '371400', county: '371424', township: null, village: null };
const figures = (code: string, level: Level) => ({ code, level, indicators: { gaps: 1 } as never });
const changed: StoredEvent = {
	seq: 10,
	type: 'indicators.changed',
	at: '2026-12-01T00:00:00.000Z',
	actor: null,
	path,
	payload: { cause: 9, regions: [figures('371424', 'county'), figures('371400', 'city'), figures('370000', 'province')] },
	sealed: false
};
const finding: StoredEvent = {
	...changed,
	seq: 8,
	type: 'team.finding',
	path: { province: '370000', city: null, county: null, township: null, village: null },
	payload: { team: 'team-1', problem: 1, code: 'WT', region: '371424001001', category: 'clinic', assignment: 1, photos: 0 },
	sealed: true
};
const codes = (viewer: Viewer) => (shown(readerOf(viewer), changed)?.payload as { regions: { code: string }[] }).regions.map((r) => r.code);

describe('what a viewer sees of an event', () => {
	it("cuts indicators.changed to the figures of the regions the viewer's scope holds", () => {
		expect(codes(user('leader', { level: 'province', code: '370000' }))).toEqual(['371424', '371400', '370000']);
		expect(codes(user('leader', { level: 'city', code: '371400' }))).toEqual(['371424', '371400']);
		expect(codes(user('county_officer', { level: 'county', code: '371424' }))).toEqual(['371424']);
		expect(codes(user('inspector', null, 'team-1'))).toEqual(['371424']);
		expect(codes(kiosk('city', '371400'))).toEqual(['371424', '371400']);
		expect(codes(kiosk('township', '371424001'))).toEqual([]);
		expect(codes(user('dispatcher', null))).toEqual([]);
	});

	it('leaves the stored event as it was, and gives the whole of it to the publisher', () => {
		shown(readerOf(kiosk('county', '371424')), changed);
		expect((changed.payload as { regions: unknown[] }).regions).toHaveLength(3);
		expect(shown(EVERYONE, changed)).not.toHaveProperty('sealed');
		expect((shown(EVERYONE, changed)!.payload as { regions: unknown[] }).regions).toHaveLength(3);
	});

	it('shows a sealed event only to those who read teams, and to its own team', () => {
		expect(shown(readerOf(user('dispatcher', { level: 'province', code: '370000' })), finding)).toMatchObject({ type: 'team.finding' });
		expect(shown(readerOf(user('leader', { level: 'province', code: '370000' })), finding)).not.toBeNull();
		expect(shown(readerOf(user('inspector', null, 'team-1')), finding)).not.toBeNull();
		expect(shown(readerOf(user('inspector', null, 'team-2')), finding)).toBeNull();
		expect(shown(readerOf(user('leader', { level: 'city', code: '371400' })), finding)).toBeNull();
		expect(shown(readerOf(user('county_officer', { level: 'county', code: '371424' })), finding)).toBeNull();
		expect(shown(readerOf(kiosk('province', '370000')), finding)).toBeNull();
	});

	it('keys receivers by what they see: one copy per kind, not per socket', () => {
		const a = readerKey(readerOf(user('county_officer', { level: 'county', code: '371424' })));
		expect(readerKey(readerOf(kiosk('county', '371424')))).toBe(a);
		expect(readerKey(readerOf(user('county_officer', { level: 'county', code: '371425' })))).not.toBe(a);
		expect(readerKey(readerOf(user('leader', { level: 'province', code: '370000' })))).not.toBe(readerKey(readerOf(kiosk('province', '370000'))));
	});
});
