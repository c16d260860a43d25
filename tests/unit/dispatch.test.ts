import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pairCities, redraw } from '../../src/lib/server/dispatch/cross';
import { inQuiet, rankSuggestions, scoreOf } from '../../src/lib/server/dispatch/suggestions';
import { DEFAULT_WEIGHTS } from '../../src/lib/server/dispatch/weights';
import type { SuggestionFactors } from '../../src/lib/types/dispatch';

const cityCodes = (n: number) => Array.from({ length: n }, (_, i) => `37${String(i + 1).padStart(2, '0')}00`);
/** fast-check's own numbers as the draw's random source, so a failure shrinks and replays */
const randomFrom = (seed: number) => {
	let state = seed >>> 0 || 1;
	return () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
};

describe('cross-inspection pairs (交叉互查)', () => {
	it.each(Array.from({ length: 19 }, (_, i) => i + 2))('pairs %i cities: each inspects one and is inspected once, never itself, and not back where the count allows', (n) => {
		fc.assert(
			fc.property(fc.integer(), (seed) => {
				const cities = cityCodes(n);
				const pairs = pairCities(cities, randomFrom(seed));
				expect(pairs).toHaveLength(n);
				expect(pairs.map((p) => p.inspector).sort()).toEqual(cities);
				expect(pairs.map((p) => p.target).sort()).toEqual(cities);
				for (const pair of pairs) expect(pair.target).not.toBe(pair.inspector);
				const mutual = pairs.filter((p) => pairs.some((q) => q.inspector === p.target && q.target === p.inspector));
				// two cities can only inspect each other; from three on, no two do
				expect(mutual.length).toBe(n === 2 ? 2 : 0);
			}),
			{ numRuns: 200 }
		);
	});

	it('draws again with other pairs where there are others to draw', () => {
		fc.assert(
			fc.property(fc.integer({ min: 4, max: 20 }), fc.integer(), (n, seed) => {
				const random = randomFrom(seed);
				const first = pairCities(cityCodes(n), random);
				const second = redraw(cityCodes(n), first, random);
				const common = second.filter((p) => first.some((q) => q.inspector === p.inspector && q.target === p.target));
				expect(common.length).toBeLessThan(n);
			}),
			{ numRuns: 100 }
		);
	});

	it('refuses fewer than two cities', () => {
		expect(() => pairCities(['370100'])).toThrow();
	});
});

describe('the dispatch priority', () => {
	const none: SuggestionFactors = { overdue: 0, supervised: 0, open: 0, gaps: 0, belowTarget: 0, key: false, daysSince: null, active: false };

	it('tells a quiet period that runs over the new year', () => {
		const quiet = { from: '12-15', to: '01-15', factor: 0.5 };
		expect(['12-15', '12-31', '01-01', '01-15'].map((day) => inQuiet(quiet, day))).toEqual([true, true, true, true]);
		expect(['12-14', '01-16', '07-01'].map((day) => inQuiet(quiet, day))).toEqual([false, false, false]);
		expect(inQuiet(DEFAULT_WEIGHTS.quiet, '08-15')).toBe(true);
		expect(inQuiet(null, '08-15')).toBe(false);
	});

	it('holds a county back in proportion to how recently it was inspected, and names it', () => {
		const w = { ...DEFAULT_WEIGHTS, quiet: null };
		const far = scoreOf({ ...none, open: 9, daysSince: 90 }, w, false);
		const half = scoreOf({ ...none, open: 9, daysSince: 45 }, w, false);
		// 9 open, and half a point per 30 days uninspected
		expect(far.score).toBe(9 + 1.5);
		// held back by half, rounded to two decimals
		expect(half.score).toBe(4.88);
		expect(half.reasons).toEqual(['未销号问题 9 项', '45 天未检查', '45 天前刚检查过（90 天内减负）']);
		expect(scoreOf({ ...none, overdue: 12, daysSince: 400 }, w, false).reasons).toEqual(['逾期问题 12 项', '400 天未检查']);
		expect(scoreOf({ ...none, gaps: 7, daysSince: 0 }, w, false).score).toBe(0);
	});

	it('ranks equal scores alike, in county order', () => {
		const item = (code: string, score: number) => ({ county: { code, name: code }, score, reasons: [], nearestTeam: null, cityCode: null, lastInspectedOn: null, factors: none });
		const ranked = rankSuggestions([item('370102', 5), item('370105', 9), item('370101', 5), item('370103', 1)]);
		expect(ranked.map((s) => [s.county.code, s.rank])).toEqual([['370105', 1], ['370101', 2], ['370102', 2], ['370103', 4]]);
	});
});

describe("a field photo's metadata", () => {
	const segment = (marker: number, body: string) => {
		const bytes = new TextEncoder().encode(body);
		return [0xff, marker, (bytes.length + 2) >> 8, (bytes.length + 2) & 255, ...bytes];
	};
	const jpeg = new Uint8Array([
		0xff, 0xd8,
		...segment(0xe0, 'JFIF\u0000\u0001\u0002'),
		...segment(0xe1, 'Exif\u0000\u0000MM Canon EOS 张三 GPS 36.12N 104.38E'),
		...segment(0xe2, 'ICC_PROFILE'),
		...segment(0xfe, 'taken by 张三'),
		...segment(0xed, 'Photoshop 3.0 IPTC'),
		0xff, 0xda, 0x00, 0x02, 0x11, 0x22, 0x33, 0xff, 0xd9
	]);

	it('leaves out Exif, XMP, IPTC and comments and keeps the picture', async () => {
		const { withoutMetadata } = await import('../../src/lib/server/teams/photos');
		const clean = withoutMetadata(jpeg);
		const text = new TextDecoder('latin1').decode(clean);
		expect(text).not.toMatch(/Exif|Canon|GPS|taken by|IPTC/);
		expect(text).toContain('JFIF');
		expect(text).toContain('ICC_PROFILE');
		// everything from the start of scan on, byte for byte
		expect([...clean.slice(-9)]).toEqual([0xff, 0xda, 0x00, 0x02, 0x11, 0x22, 0x33, 0xff, 0xd9]);
	});

	it('returns what is not a well-formed JPEG head as it came', async () => {
		const { withoutMetadata } = await import('../../src/lib/server/teams/photos');
		const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
		expect(withoutMetadata(png)).toBe(png);
		const cut = jpeg.slice(0, 12);
		expect(withoutMetadata(cut)).toBe(cut);
	});
});
