import { describe, expect, it } from 'vitest';
import { alertOf } from '../../src/lib/components/wall/alerts';
import { addDays, dayOf, daysBetween } from '../../src/lib/days';
import { landingPath, navItems } from '../../src/lib/nav';
import { DEFAULT_LIMITS, escalationDue } from '../../src/lib/server/problems/escalation';
import type { LiveEvent } from '../../src/lib/types/events';

const t = (id: string, options?: { values?: Record<string, string | number> }) => `${id}${options?.values ? JSON.stringify(options.values) : ''}`;

describe('days in Asia/Shanghai', () => {
	it('names the day of an instant as Shanghai counts it, whatever the process zone', () => {
		const zone = process.env.TZ;
		try {
			for (const tz of ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati']) {
				process.env.TZ = tz;
				expect(dayOf(new Date('2026-03-10T15:59:59Z'))).toBe('2026-03-10');
				expect(dayOf(new Date('2026-03-10T16:00:00Z'))).toBe('2026-03-11');
			}
		} finally {
			process.env.TZ = zone;
		}
		expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
		expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
		expect(daysBetween('2026-12-25', '2027-01-01')).toBe(7);
	});

	it('escalates after more than 7 days to the city and more than 30 to the province', () => {
		expect(escalationDue('2026-04-01', '2026-04-08', DEFAULT_LIMITS)).toBeNull();
		expect(escalationDue('2026-04-01', '2026-04-09', DEFAULT_LIMITS)).toBe('city');
		expect(escalationDue('2026-04-01', '2026-05-01', DEFAULT_LIMITS)).toBe('city');
		expect(escalationDue('2026-04-01', '2026-05-02', DEFAULT_LIMITS)).toBe('province');
	});
});

describe('the app shell', () => {
	it('lands each role on its own page', () => {
		const county = { level: 'county' as const, code: '371424', name: '临邑县' };
		expect(landingPath({ role: 'county_officer', scope: county })).toBe('/county/371424');
		expect(landingPath({ role: 'leader', scope: { level: 'province', code: '370000', name: '山东省' } })).toBe('/');
		expect(landingPath({ role: 'dispatcher', scope: null })).toBe('/dispatch');
		expect(landingPath({ role: 'inspector', scope: null })).toBe('/inspect');
		expect(landingPath({ role: 'admin', scope: null })).toBe('/admin');
		expect(landingPath(null)).toBe('/login');
	});

	it('offers a county office only its county and the ledger', () => {
		const items = navItems({ role: 'county_officer', scope: { level: 'county', code: '371424', name: '临邑县' } }).map((i) => i.href);
		expect(items).toEqual(['/county/371424', '/problems']);
		expect(navItems({ role: 'inspector', scope: null }).map((i) => i.href)).toEqual(['/inspect']);
		expect(navItems({ role: 'dispatcher', scope: { level: 'province', code: '370000', name: '山东省' } }).map((i) => i.href)).toEqual(['/dispatch', '/', '/problems', '/wall']);
	});
});

describe('the wall’s alerts', () => {
	const event = (level: string | null): LiveEvent =>
		({ seq: 9, type: 'problem.escalated', at: '', actor: 'system', path: { province: '370000', city: '371400', county: '371424', township: null, village: null }, payload: { problem: 1, code: 'WT-371424-0001', level, deadline: '2026-04-01', daysOverdue: 8 } }) as unknown as LiveEvent;

	it('breaks into the tour when a problem escalates, not when it de-escalates', () => {
		expect(alertOf(event('city'), () => undefined, t)).toMatchObject({ county: '371424', type: 'problem.escalated' });
		expect(alertOf(event('city'), () => undefined, t)?.detail).toContain('escalation.city');
		expect(alertOf(event(null), () => undefined, t)).toBeNull();
	});
});
