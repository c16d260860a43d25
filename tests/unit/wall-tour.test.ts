import { describe, expect, it } from 'vitest';
import { Tour, type TourView } from '../../src/lib/components/wall/tour';
import { campaignAt } from '../../src/lib/components/wall/campaign';
import { silentCounties } from '../../src/lib/components/wall/freshness';
import { campaignFrom } from '../../src/lib/server/wall/campaign';

function tourAt(options: { cities?: string[]; stepMs?: number } = {}) {
	let now = 0;
	const views: TourView[] = [];
	const tour = new Tour(
		{ indicators: ['clinic_coverage', 'gaps'], cities: options.cities ?? ['370100', '370200'], stepMs: options.stepMs ?? 10_000, alertMs: 5_000, idleMs: 30_000, now: () => now },
		(view) => views.push(view)
	);
	const advance = (ms: number) => {
		for (let t = 0; t < ms; t += 1000) {
			now += 1000;
			tour.tick();
		}
	};
	return { tour, views, advance };
}

const alert = (seq: number) => ({ seq, type: 'problem.overdue', county: '371424', detail: 'WT-1' });

describe('the wall tour', () => {
	it('alternates the province and a city, moving to the next indicator and city each round', () => {
		const { tour, advance } = tourAt();
		const seen = [tour.view];
		for (let i = 0; i < 4; i++) {
			advance(10_000);
			seen.push(tour.view);
		}
		expect(seen.map((v) => [v.indicator, v.city])).toEqual([
			['clinic_coverage', null],
			['clinic_coverage', '370100'],
			['gaps', null],
			['gaps', '370200'],
			['clinic_coverage', null]
		]);
	});

	it('cycles indicators only where there are no cities to fly to', () => {
		const { tour, advance } = tourAt({ cities: [] });
		advance(10_000);
		expect([tour.view.indicator, tour.view.city]).toEqual(['gaps', null]);
	});

	it('breaks off for an alert, queues the next, then resumes where it left off', () => {
		const { tour, advance } = tourAt();
		advance(10_000);
		expect(tour.view.city).toBe('370100');
		tour.alert(alert(1));
		tour.alert(alert(2));
		expect(tour.view.alert?.seq).toBe(1);
		advance(5_000);
		expect(tour.view.alert?.seq).toBe(2);
		advance(5_000);
		expect(tour.view.alert).toBeNull();
		// the same stop as before the alert, for a full step
		expect(tour.view.city).toBe('370100');
		advance(9_000);
		expect(tour.view.city).toBe('370100');
		advance(1_000);
		expect([tour.view.indicator, tour.view.city]).toEqual(['gaps', null]);
	});

	it('drops the oldest waiting alert, not the newest, when ten are already waiting', () => {
		const { tour, advance } = tourAt();
		for (let seq = 1; seq <= 12; seq++) tour.alert(alert(seq));
		const shown: number[] = [];
		for (let i = 0; i < 12; i++) {
			if (tour.view.alert) shown.push(tour.view.alert.seq);
			advance(5_000);
		}
		// 1 on screen; 2 gave way when 12 arrived; 3…12 follow in order
		expect(shown).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
	});

	it('holds still while someone touches the screen, and goes on afterwards', () => {
		const { tour, advance } = tourAt();
		tour.touch();
		expect(tour.view.paused).toBe(true);
		advance(25_000);
		expect(tour.view.city).toBeNull();
		advance(5_000);
		expect(tour.view.paused).toBe(false);
		advance(10_000);
		expect(tour.view.city).toBe('370100');
	});
});

describe('the campaign countdown', () => {
	const campaign = campaignFrom('2019-12-25');

	it('follows the phases of seed 004, closing at midnight in Beijing', () => {
		expect(campaign.phases.map((p) => [p.key, p.start, p.end])).toEqual([
			['deployment', '2019-12-25', '2019-12-30'],
			['screening', '2019-12-28', '2020-01-15'],
			['rectification', '2020-01-16', '2020-04-30']
		]);
		expect(campaign.phases[2].endsAt).toBe('2020-05-01T00:00:00+08:00');
	});

	it('counts down to the end of the phase under way, the later one where they overlap', () => {
		const at = campaignAt(campaign, Date.parse('2019-12-29T12:00:00+08:00'));
		expect(at).toMatchObject({ state: 'running', phase: { key: 'screening' } });
		expect(at.state === 'running' && at.until).toBe(Date.parse('2020-01-16T00:00:00+08:00') - Date.parse('2019-12-29T12:00:00+08:00'));
		expect(campaignAt(campaign, Date.parse('2019-12-01T00:00:00Z'))).toMatchObject({ state: 'upcoming', phase: { key: 'deployment' } });
		expect(campaignAt(campaign, Date.parse('2020-06-01T00:00:00Z'))).toEqual({ state: 'finished' });
	});
});

describe('county freshness', () => {
	const county = (code: string, lastEventAt: string | null) => ({ code, name: code, key: false, cityCode: null, lon: 0, lat: 0, lastEventAt });
	const now = Date.parse('2026-01-01T12:00:00Z');

	it('marks counties silent for longer than the limit, longest first, counting never-reported ones from the load', () => {
		const silent = silentCounties(
			[county('a', '2026-01-01T11:50:00Z'), county('b', '2026-01-01T09:00:00Z'), county('c', null)],
			{},
			'2026-01-01T08:00:00Z',
			60 * 60_000,
			now
		);
		expect(silent.map((s) => [s.code, s.reported])).toEqual([
			['c', false],
			['b', true]
		]);
	});

	it('takes a live event over what the page loaded with', () => {
		const silent = silentCounties([county('b', '2026-01-01T09:00:00Z')], { b: '2026-01-01T11:59:00Z' }, null, 60 * 60_000, now);
		expect(silent).toEqual([]);
	});
});
