import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { buildProvince } from '../helpers/fixtures';
import { findRegion } from '../../src/lib/server/geo/regions';
import { appendEvents, EVERYONE, eventsAfter, latestEvents, mayRead, problemEvents, seen, type NewEvent, type Reader, type StoredEvent } from '../../src/lib/server/events/log';

/**
 * Who reads a sealed event is decided once (`sealedReach`) and applied twice: by `mayRead` to
 * an event in hand (the live stream, every cut) and by `readable` as SQL (the replay, the
 * county's feed, a problem's timeline). Here both answer for every kind of reader over events
 * that name a team in every way a payload can: the same events, in the same order, and a limit
 * that counts only what the reader may read.
 */

// every team a payload may name: the reader's own, another, none, the empty string, and a number
const TEAMS: unknown[] = ['team-1', 'team-2', undefined, '', 7];
const READERS: Reader[] = [true, false].flatMap((sealed) =>
	[null, 'team-1', 'team-2', '', '7'].map((team) => ({ sealed, team, figures: { level: 'county' as const, code: '990101' } }))
);

describe('who reads a sealed event', () => {
	let db: TestDatabase;
	let all: StoredEvent[];
	beforeAll(async () => {
		db = await freshDatabase();
		await buildProvince(db.sql);
		const county = (await findRegion('990101', db.sql))!;
		const events: NewEvent[] = [];
		for (const sealed of [false, true]) {
			for (const team of TEAMS) {
				const named = team === undefined ? {} : { team };
				events.push({ type: 'team.location', region: county, actor: 'x', sealed, payload: { lon: 110, lat: 30, ...named } as never });
				events.push({ type: 'problem.overdue', region: county, actor: 'x', sealed, payload: { problem: 1, code: 'P1', deadline: '2020-01-01', supervised: false, ...named } });
			}
		}
		await db.sql.begin((tx) => appendEvents(tx, events));
		all = (await eventsAfter(db.sql, { region: null, after: 0, limit: 1000 }, EVERYONE)).items;
		expect(all).toHaveLength(events.length);
	});
	afterAll(() => db.close());

	const seqs = (events: { seq: number }[]) => events.map((event) => event.seq);

	it('lets the replay through exactly what the live stream lets through, for every reader', async () => {
		for (const reader of READERS) {
			const live = all.filter((event) => mayRead(reader, event));
			const replay = await eventsAfter(db.sql, { region: null, after: 0, limit: 1000 }, reader);
			expect(seqs(replay.items), JSON.stringify(reader)).toEqual(seqs(live));
			expect(replay.total).toBe(live.length);
			expect(seqs(seen(reader, replay.items))).toEqual(seqs(live));
		}
	});

	it('counts a page by what the reader may read, so that no replay page comes short', async () => {
		for (const reader of READERS) {
			const live = all.filter((event) => mayRead(reader, event));
			const page = await eventsAfter(db.sql, { region: null, after: live[0].seq, limit: 3 }, reader);
			expect(seqs(page.items), JSON.stringify(reader)).toEqual(seqs(live.slice(1, 4)));
		}
	});

	it("applies the same rule to the county's feed and to a problem's timeline", async () => {
		const county = (await findRegion('990101', db.sql))!;
		for (const reader of READERS) {
			const live = all.filter((event) => mayRead(reader, event));
			expect(seqs(await latestEvents(db.sql, county, reader, 1000)), JSON.stringify(reader)).toEqual(seqs(live).reverse());
			const timeline = live.filter((event) => event.type === 'problem.overdue');
			expect(seqs(await problemEvents(db.sql, 1, reader))).toEqual(seqs(timeline));
		}
	});

	it('names a team only by a string: a reader of team 7 reads no event of the number 7', () => {
		const numbered = all.find((event) => event.sealed && (event.payload as { team?: unknown }).team === 7)!;
		expect(mayRead({ sealed: false, team: '7', figures: null }, numbered)).toBe(false);
		expect(mayRead({ sealed: true, team: null, figures: null }, numbered)).toBe(true);
	});
});
