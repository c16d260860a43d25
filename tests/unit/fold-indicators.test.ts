import { describe, expect, it } from 'vitest';
import { foldIndicators } from '../../src/lib/server/events/socket/fold';
import type { LiveEvent } from '../../src/lib/types/events';
import type { Level } from '../../src/lib/indicators';

const at = '2026-12-01T00:00:00.000Z';
const pathOf = (county: string) => ({ province: '370000', city: `${county.slice(0, 4)}00`, county, township: null, village: null });
const figures = (code: string, level: Level, gaps: number) => ({ code, level, indicators: { gaps } as never });
/** a county's indicators.changed: the county's, its city's and the province's figures, all `gaps` */
const changed = (seq: number, county: string, gaps: number): LiveEvent => ({
	seq,
	type: 'indicators.changed',
	at,
	actor: null,
	path: pathOf(county),
	payload: { cause: seq - 1, regions: [figures(county, 'county', gaps), figures(`${county.slice(0, 4)}00`, 'city', gaps), figures('370000', 'province', gaps)] }
});
const updated = (seq: number, county: string): LiveEvent => ({ seq, type: 'facility.updated', at, actor: 'd', path: pathOf(county), payload: { facility: `f${seq}`, kind: 'village_clinic', doctors: 1, licensed_doctors: 0, standard_met: false } });
const regions = (event: LiveEvent) => (event as LiveEvent<'indicators.changed'>).payload.regions.map((r) => `${r.code}:${(r.indicators as { gaps: number }).gaps}`);

describe('folding the indicators.changed of one batch', () => {
	it('keeps of each region only the latest values, and each event its envelope', () => {
		// two counties of 德州市, then the first again
		const events = [updated(1, '371424'), changed(2, '371424', 5), updated(3, '371426'), changed(4, '371426', 7), changed(5, '371424', 9)];
		const folded = foldIndicators(events);
		expect(folded.map((e) => e.seq)).toEqual([1, 3, 4, 5]);
		// 371426's own figures stay with seq 4; the city's and the province's are the latest, seq 5's
		expect(regions(folded[2])).toEqual(['371426:7']);
		expect(regions(folded[3])).toEqual(['371424:9', '371400:9', '370000:9']);
		expect(folded[2]).toMatchObject({ type: 'indicators.changed', path: pathOf('371426'), payload: { cause: 3 } });
		// what is not indicators.changed is the same object, in the same order
		expect(folded[0]).toBe(events[0]);
		expect(folded[1]).toBe(events[2]);
	});

	it('leaves out an indicators.changed of which every region comes again later', () => {
		const folded = foldIndicators([changed(1, '371424', 1), changed(2, '371424', 2), changed(3, '371424', 3)]);
		expect(folded.map((e) => e.seq)).toEqual([3]);
		expect(regions(folded[0])).toEqual(['371424:3', '371400:3', '370000:3']);
	});

	it('changes nothing of a batch with one indicators.changed or none, nor the events it is given', () => {
		const one = [updated(1, '371424'), changed(2, '371424', 1)];
		expect(foldIndicators(one)).toBe(one);
		const two = [changed(1, '371424', 1), changed(2, '371426', 2)];
		const before = structuredClone(two);
		foldIndicators(two);
		expect(two).toEqual(before);
	});

	it('folds what a receiver was given after its cut: a county reader keeps each of its events', () => {
		// as `shown` leaves them for a county officer of 371424: the county's own figures only
		const cut = (event: LiveEvent): LiveEvent => ({ ...event, payload: { ...(event.payload as object), regions: (event as LiveEvent<'indicators.changed'>).payload.regions.slice(0, 1) } }) as LiveEvent;
		const folded = foldIndicators([cut(changed(1, '371424', 1)), updated(2, '371424'), cut(changed(3, '371424', 4))]);
		expect(folded.map((e) => e.seq)).toEqual([2, 3]);
		expect(regions(folded[1])).toEqual(['371424:4']);
	});
});
