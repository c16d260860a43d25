import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { addProblem, addTownship, addVillage, buildProvince, refusal } from '../helpers/fixtures';
import type { Viewer } from '../../src/lib/server/auth/viewer';
import { findRegion } from '../../src/lib/server/geo/regions';
import { counterDrift } from '../../src/lib/server/indicators/counters';
import { regionIndicators } from '../../src/lib/server/indicators/queries';
import { markOverdue } from '../../src/lib/server/events/write/deadlines';
import { commitPlan, postEvent } from '../../src/lib/server/events/write/post';
import { problemDeadlineChange, problemEvidence } from '../../src/lib/server/events/write/planners/problems';
import type { UserViewer } from '../../src/lib/server/events/write/planners/plan';
import { addDays, dayOf } from '../../src/lib/days';

const user = (username: string, role: 'county_officer' | 'dispatcher', scope: string): UserViewer =>
	({ kind: 'user', id: 1, username, role, scope: { level: role === 'dispatcher' ? 'province' : 'county', code: scope, name: scope }, team: null, sessionId: 's' }) as Extract<Viewer, { kind: 'user' }>;
const officer = user('officer-990101', 'county_officer', '990101');
const dispatcher = user('dispatcher', 'dispatcher', '990000');

/** An instant given as a wall-clock time in Asia/Shanghai (UTC+8, no summer time). */
const shanghai = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`);

const zone = process.env.TZ;
afterEach(() => {
	process.env.TZ = zone;
});

let db: TestDatabase;
beforeAll(async () => {
	db = await freshDatabase();
	await buildProvince(db.sql);
	await addTownship(db.sql, '990101', { code: '990101001' });
	await addVillage(db.sql, '990101001', { code: '990101001001' });
});
afterAll(() => db.close());

async function problemDue(code: string, deadline: string): Promise<number> {
	await addProblem(db.sql, code, '990101001001');
	const [{ id }] = await db.sql`update problem set deadline = ${deadline}, found_on = ${addDays(deadline, -30)} where code = ${code} returning id`;
	await db.sql`select recompute_counters()`;
	return Number(id);
}

const state = async (id: number) => (await db.sql`select is_overdue, escalation from problem where id = ${id}`)[0];

describe('days in Asia/Shanghai, whatever the server’s time zone', () => {
	it('the database connections count days in Asia/Shanghai, the server’s own zone set elsewhere', async () => {
		process.env.TZ = 'America/Los_Angeles';
		if (db.kind === 'postgres') {
			// the database's own default points elsewhere too; the connection's zone wins
			const [{ name }] = await db.sql`select current_database() as name`;
			await db.sql.unsafe(`alter database ${name} set timezone = 'America/New_York'`);
		}
		const [{ zone: tz, today }] = await db.sql`select current_setting('TimeZone') as zone, current_date::text as today`;
		expect(tz).toBe('Asia/Shanghai');
		expect(today).toBe(dayOf());
	});

	it('turns a problem overdue when the day after its deadline begins in Shanghai, not in the server’s zone', async () => {
		const id = await problemDue('EDGE-1', '2026-03-10');
		// 23:30 in Shanghai on the deadline: already the 11th by the clock of a server at UTC+14
		process.env.TZ = 'Pacific/Kiritimati';
		expect(new Date(shanghai('2026-03-10', '23:30')).getDate()).toBe(11);
		await markOverdue(db.sql, { now: shanghai('2026-03-10', '23:30') });
		expect((await state(id)).is_overdue).toBe(false);
		// 00:30 on the 11th in Shanghai: still the 10th for a server in Los Angeles
		process.env.TZ = 'America/Los_Angeles';
		expect(new Date(shanghai('2026-03-11', '00:30')).getDate()).toBe(10);
		const events = await markOverdue(db.sql, { now: shanghai('2026-03-11', '00:30') });
		expect(events.filter((e) => e.type === 'problem.overdue').map((e) => (e.payload as { code: string }).code)).toEqual(['EDGE-1']);
		expect(await state(id)).toEqual({ is_overdue: true, escalation: null });
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('escalates to the city after more than 7 days and to the province after more than 30, at Shanghai’s midnight', async () => {
		const id = await problemDue('EDGE-2', '2026-04-01');
		process.env.TZ = 'America/New_York';
		await markOverdue(db.sql, { now: shanghai('2026-04-02', '08:00') });
		expect(await state(id)).toEqual({ is_overdue: true, escalation: null });
		// 7 days late is not more than 7
		await markOverdue(db.sql, { now: shanghai('2026-04-08', '23:59') });
		expect((await state(id)).escalation).toBeNull();
		const mine = (events: Awaited<ReturnType<typeof markOverdue>>) => events.filter((e) => (e.payload as { code?: string }).code === 'EDGE-2');
		const city = mine(await markOverdue(db.sql, { now: shanghai('2026-04-09', '00:01') }));
		expect(city.map((e) => e.type)).toEqual(['problem.escalated']);
		expect(city[0].payload).toMatchObject({ code: 'EDGE-2', level: 'city', daysOverdue: 8 });
		expect(city[0].path).toMatchObject({ county: '990101', city: '990100', province: '990000' });
		// once only
		expect(mine(await markOverdue(db.sql, { now: shanghai('2026-04-20', '12:00') }))).toEqual([]);
		await markOverdue(db.sql, { now: shanghai('2026-05-01', '23:59') });
		expect((await state(id)).escalation).toBe('city');
		const province = mine(await markOverdue(db.sql, { now: shanghai('2026-05-02', '00:00') }));
		expect(province[0].payload).toMatchObject({ level: 'province', daysOverdue: 31 });
		// configurable limits
		const other = await problemDue('EDGE-3', '2026-04-01');
		await markOverdue(db.sql, { now: shanghai('2026-04-04', '09:00'), limits: { city: 2, province: 60 } });
		expect((await state(other)).escalation).toBe('city');
	});

	it('de-escalates a problem when it is closed, in the same commit', async () => {
		const [{ id }] = await db.sql`select id from problem where code = 'EDGE-2'`;
		await postEvent(officer, { type: 'problem.status_changed', payload: { problem: id, status: 'rectifying', note: '开始整改' } }, null, db.sql);
		const photo = Buffer.from('89504e470d0a1a0a', 'hex');
		const [added] = await commitPlan(officer, 'problem.evidence_added', (tx) => problemEvidence(tx, id, { name: 'p.png', type: 'image/png', size: 8, sha256: 'x', content: photo }, officer), db.sql);
		const evidence = [(added.payload as { evidence: { id: number } }).evidence.id];
		await postEvent(officer, { type: 'problem.status_changed', payload: { problem: id, status: 'submitted', note: '完成', evidence } }, null, db.sql);
		// submitted is not closed: still overdue and escalated
		expect(await state(Number(id))).toEqual({ is_overdue: true, escalation: 'province' });
		const { seq } = await postEvent(dispatcher, { type: 'problem.status_changed', payload: { problem: id, status: 'closed', note: '销号' } }, null, db.sql);
		const after = await db.sql`select type, payload from event where seq > ${seq - 1} order by seq`;
		expect(after.map((e) => e.type)).toEqual(['problem.status_changed', 'problem.escalated', 'indicators.changed']);
		expect(after[1].payload).toMatchObject({ level: null });
		expect((await db.sql`select escalation, escalated_at from problem where id = ${id}`)[0]).toEqual({ escalation: null, escalated_at: null });
	});
});

describe('indicators after a run of moves', () => {
	it('rectification_rate and overdue_problems equal a recomputation from the records', async () => {
		const ids: number[] = [];
		for (let i = 0; i < 8; i++) ids.push(await problemDue(`RUN-${i}`, addDays(dayOf(), i % 2 ? -3 : 10)));
		await markOverdue(db.sql);
		const photo = Buffer.from('89504e470d0a1a0a', 'hex');
		const move = (who: UserViewer, id: number, status: 'rectifying' | 'submitted' | 'closed', extra = {}) =>
			postEvent(who, { type: 'problem.status_changed', payload: { problem: id, status, note: '说明', ...extra } }, null, db.sql);
		for (const [i, id] of ids.entries()) {
			await move(officer, id, 'rectifying');
			if (i % 4 === 3) continue;
			const [added] = await commitPlan(officer, 'problem.evidence_added', (tx) => problemEvidence(tx, id, { name: 'p.png', type: 'image/png', size: 8, sha256: 'x', content: photo }, officer), db.sql);
			await move(officer, id, 'submitted', { evidence: [(added.payload as { evidence: { id: number } }).evidence.id] });
			if (i % 3 === 0) await move(dispatcher, id, 'rectifying', { reason: '佐证不足' });
			else await move(dispatcher, id, 'closed');
		}
		// a deadline moved ahead takes an overdue item out of the count
		const late = ids.find((_, i) => i % 2 === 1 && i % 3 === 0)!;
		await commitPlan(dispatcher, 'problem.deadline_changed', (tx) => problemDeadlineChange(tx, { problem: late, deadline: addDays(dayOf(), 5), reason: '延期' }, dispatcher), db.sql);
		expect(await counterDrift(db.sql)).toEqual([]);
		const [counts] = await db.sql`
			select count(*)::int as total, count(*) filter (where status = 'closed')::int as closed,
				count(*) filter (where status <> 'closed' and is_overdue)::int as overdue,
				count(*) filter (where status <> 'closed' and deadline < current_date)::int as past
			from problem where county_code = '990101'`;
		expect(counts.overdue).toBe(counts.past);
		const indicators = await regionIndicators((await findRegion('990101', db.sql))!, db.sql);
		// ratios are kept to four decimals
		expect(indicators.rectification_rate).toBeCloseTo(counts.closed / counts.total, 4);
		expect(indicators.overdue_problems).toBe(counts.overdue);
		// the whole recomputation agrees with what the moves kept
		await db.sql`select recompute_counters()`;
		const again = await regionIndicators((await findRegion('990101', db.sql))!, db.sql);
		expect(again).toEqual(indicators);
	});

	it('refuses a deadline change by a county officer and one of a closed item', async () => {
		const [{ id }] = await db.sql`select id from problem where code = 'RUN-1'`;
		expect((await refusal(commitPlan(officer, 'problem.deadline_changed', (tx) => problemDeadlineChange(tx, { problem: id, deadline: addDays(dayOf(), 9), reason: 'x' }, officer), db.sql))).status).toBe(403);
		const [{ id: closed }] = await db.sql`select id from problem where code = 'RUN-2'`;
		expect((await refusal(commitPlan(dispatcher, 'problem.deadline_changed', (tx) => problemDeadlineChange(tx, { problem: closed, deadline: addDays(dayOf(), 9), reason: 'x' }, dispatcher), db.sql))).status).toBe(409);
	});
});
