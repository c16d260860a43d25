import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { addProblem, addTownship, addVillage, buildProvince } from '../helpers/fixtures';
import { closeDatabase, openDatabase } from '../../src/lib/server/db';
import { markOverdue } from '../../src/lib/server/events/write/deadlines';
import { simulate } from '../../src/lib/server/events/simulator/simulator';
import { counterDrift } from '../../src/lib/server/indicators/counters';
import { createUser } from '../../src/lib/server/auth/users';
import { seed } from '../../src/lib/server/seed';

describe('the deadline watcher', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
		await buildProvince(db.sql);
		await addTownship(db.sql, '990101', { code: '990101001' });
		await addVillage(db.sql, '990101001', { code: '990101001001' });
		await addProblem(db.sql, 'DUE-1', '990101001001'); // deadline 2020-02-01, open
		await addProblem(db.sql, 'DUE-2', '990101', { status: 'rectifying' });
		await addProblem(db.sql, 'DONE', '990101', { status: 'closed' });
		await db.sql`update problem set deadline = current_date + 30 where code = 'DUE-2'`;
		await db.sql`select recompute_counters()`;
	});
	afterAll(() => db.close());

	it('marks each passed deadline once, with its event, counters and audit row', async () => {
		const events = await markOverdue(db.sql);
		// long past its deadline: escalated to the province in the same check
		expect(events.map((e) => e.type)).toEqual(['problem.overdue', 'indicators.changed', 'problem.escalated']);
		expect(events[2].payload).toMatchObject({ code: 'DUE-1', level: 'province' });
		expect(events[0].payload).toMatchObject({ code: 'DUE-1', deadline: '2020-02-01' });
		expect(events[0].path).toMatchObject({ county: '990101', village: '990101001001' });
		expect(events[1].seq).toBe(events[0].seq + 1);
		expect(await counterDrift(db.sql)).toEqual([]);
		const [{ n }] = await db.sql`select count(*)::int as n from audit_log where entity = 'problem' and action = 'overdue'`;
		expect(n).toBe(1);
	});

	it('says nothing more about a problem it has reported, also after a restart', async () => {
		expect(await markOverdue(db.sql)).toEqual([]);
		// a new connection, as after a restart, sees the flag and stays quiet
		const other = await freshConnection(db.url);
		expect(await markOverdue(other)).toEqual([]);
		await other.end();
	});

	it('reports a problem from several watchers at once only once', async () => {
		await db.sql`update problem set deadline = current_date - 1 where code = 'DUE-2'`;
		const second = await freshConnection(db.url);
		const [a, b] = await Promise.all([markOverdue(db.sql), markOverdue(second)]);
		await second.end();
		const overdue = [...a, ...b].filter((e) => e.type === 'problem.overdue');
		expect(overdue.map((e) => (e.payload as { code: string }).code)).toEqual(['DUE-2']);
		const [{ n }] = await db.sql`select count(*)::int as n from event where type = 'problem.overdue'`;
		expect(n).toBe(2);
	});
});

async function freshConnection(url: string) {
	const postgres = (await import('postgres')).default;
	return postgres(url, { max: 2, onnotice: () => {} }) as unknown as import('../../src/lib/server/db').Sql & { end(): Promise<void> };
}

describe('the demo simulator', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
		await seed(db.sql, { scale: 'test', random: 7, asOf: new Date().toISOString().slice(0, 10) });
		await createUser(null, { username: 'simulator', password: 'demo-password', role: 'dispatcher', scope: '640000' }, { demo: true }, db.sql);
		// the simulator posts through the app's own client, like the server does
		await openDatabase({ databaseUrl: db.url, dataDir: '' });
	});
	afterAll(async () => {
		await closeDatabase();
		await db.close();
	});

	it('posts a mix of field events through the regular path, and the counters keep up', async () => {
		const [{ before }] = await db.sql`select coalesce(max(seq), 0)::int as before from event`;
		const stop = await simulate(1200);
		await new Promise((r) => setTimeout(r, 4_000));
		// what was under way when it stopped finishes first
		await stop();
		const events = await db.sql`select seq, type, actor, county_code, payload from event where seq > ${before} order by seq`;
		const fieldEvents = events.filter((e) => e.type !== 'indicators.changed');
		expect(fieldEvents.length).toBeGreaterThan(5);
		// every change of records moves indicators; a team's movements and an evidence upload do not (a finding's problem
		// does); a closed item's de-escalation rides in its move's commit, under the move's indicators
		const teamEvents = fieldEvents.filter((e) => e.type.startsWith('team.'));
		const uncounted = teamEvents.length + fieldEvents.filter((e) => e.type === 'problem.evidence_added' || e.type === 'problem.escalated').length;
		const counted = fieldEvents.filter((e) => !e.type.startsWith('team.') && e.type !== 'problem.evidence_added' && e.type !== 'problem.escalated');
		expect(counted).toHaveLength(fieldEvents.length - uncounted);
		const figures = events.filter((e) => e.type === 'indicators.changed');
		// a commit batch writes one indicators.changed per county it moved, naming its latest change as the cause
		expect(figures.length).toBeGreaterThan(0);
		expect(figures.length).toBeLessThanOrEqual(counted.length);
		for (const e of counted) expect(figures.some((f) => f.county_code === e.county_code && f.seq > e.seq)).toBe(true);
		for (const f of figures) expect(counted.some((e) => e.seq === f.payload.cause && e.county_code === f.county_code)).toBe(true);
		// the simulator's own account, and the county offices' for their own rectification: never a person's
		for (const e of events) expect(e.actor).toMatch(/^simulator(-\d{6})?$/);
		expect(await counterDrift(db.sql)).toEqual([]);
		const [{ n }] = await db.sql`select count(*)::int as n from audit_log where actor = 'simulator' or actor like 'simulator-%'`;
		// one audit row per posted event: a finding writes its problem's event too, a close its de-escalation
		expect(n).toBe(fieldEvents.length - teamEvents.filter((e) => e.type === 'team.finding').length - fieldEvents.filter((e) => e.type === 'problem.escalated').length);
	});
});
