import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { addProblem, addTownship, addVillage, buildProvince, refusal } from '../helpers/fixtures';
import type { Viewer } from '../../src/lib/server/auth/viewer';
import { counterDrift } from '../../src/lib/server/indicators/counters';
import { eventsAfter, readerOf } from '../../src/lib/server/events/log';
import { postEvent } from '../../src/lib/server/events/write/post';
import { postedEvent, type PostedEvent } from '../../src/lib/server/events/types';

type Role = 'county_officer' | 'dispatcher' | 'leader' | 'inspector';
const user = (username: string, role: Role, scope: string | null, team: string | null = null): Viewer => ({
	kind: 'user',
	id: 1,
	username,
	role,
	scope: scope ? { level: scope.endsWith('0000') ? 'province' : 'county', code: scope, name: scope } : null,
	team,
	sessionId: 'session'
});

const officer = user('officer-990101', 'county_officer', '990101');
const dispatcher = user('dispatcher', 'dispatcher', '990000');
const otherDispatcher = user('dispatcher-88', 'dispatcher', '880000');
const inspector = user('inspector-1', 'inspector', null, 'team-1');
const strayInspector = user('inspector-2', 'inspector', null, 'team-2');

const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

/** Parses like POST /api/events does, so defaults (unannounced) apply. */
const parse = (input: unknown): PostedEvent => postedEvent.parse(input);


describe('problems and teams through the event log', () => {
	let db: TestDatabase;
	const post = (viewer: Viewer, input: unknown, key: string | null = null) => postEvent(viewer, parse(input), key, db.sql);
	const eventAt = async (seq: number) => (await db.sql`select * from event where seq = ${seq}`)[0];
	const counts = async () => (await db.sql`select (select count(*) from event)::int as events, (select count(*) from problem)::int as problems, (select count(*) from assignment)::int as assignments`)[0];

	beforeAll(async () => {
		db = await freshDatabase();
		await buildProvince(db.sql);
		await addTownship(db.sql, '990101', { code: '990101001' });
		await addVillage(db.sql, '990101001', { code: '990101001001', name: '甲村' });
		await addTownship(db.sql, '990102', { code: '990102001' });
		await addVillage(db.sql, '990102001', { code: '990102001001' });
		await addProblem(db.sql, 'WT-990101-0007', '990101001001');
		for (const id of ['team-1', 'team-2']) {
			await db.sql`insert into team (id, name, point, home_region) values (${id}, ${id}, 'SRID=4326;POINT(100.9 30.9)', '990000')`;
		}
		await db.sql`select recompute_counters()`;
	});
	afterAll(() => db.close());

	it('files a county officer\'s new problem under the county\'s next number, unsealed, and moves the counters', async () => {
		const { seq } = await post(officer, {
			type: 'problem.created',
			payload: { region: '990101001001', category: 'clinic', source: 'self_check', description: '村卫生室无执业医师', deadline: inAMonth() }
		});
		const event = await eventAt(seq);
		expect(event).toMatchObject({ type: 'problem.created', county_code: '990101', village_code: '990101001001', sealed: false });
		expect(event.payload).toMatchObject({ code: 'WT-990101-0008', source: 'self_check', deadline: inAMonth() });
		const [problem] = await db.sql`select * from problem where code = 'WT-990101-0008'`;
		expect(problem).toMatchObject({ status: 'open', responsible_unit: '测试县1卫生健康局', county_code: '990101' });
		const [changed] = await db.sql`select payload from event where seq = ${seq + 1}`;
		expect(changed.payload.cause).toBe(seq);
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('refuses a new problem in another county or above county level, and writes nothing', async () => {
		const before = await counts();
		const payload = { category: 'clinic', source: 'self_check', description: '测试', deadline: inAMonth() };
		expect((await refusal(post(officer, { type: 'problem.created', payload: { ...payload, region: '990102001001' } }))).status).toBe(403);
		const above = await refusal(post(dispatcher, { type: 'problem.created', payload: { ...payload, region: '990100' } }));
		expect(above.status).toBe(422);
		expect(above.details?.[0].field).toBe('payload.region');
		expect(await counts()).toEqual(before);
	});

	it('lets only a dispatcher list a problem for supervision, once', async () => {
		const [{ id }] = await db.sql`select id from problem where code = 'WT-990101-0007'`;
		expect((await refusal(post(officer, { type: 'problem.supervised', payload: { problem: id } }))).status).toBe(403);
		const { seq } = await post(dispatcher, { type: 'problem.supervised', payload: { problem: id } });
		expect((await eventAt(seq)).payload).toMatchObject({ problem: id, code: 'WT-990101-0007' });
		expect((await db.sql`select supervised from problem where id = ${id}`)[0].supervised).toBe(true);
		expect((await refusal(post(dispatcher, { type: 'problem.supervised', payload: { problem: id } }))).status).toBe(422);
	});

	it('sends a team unannounced: the event is sealed and placed at the province, never at the target county', async () => {
		const { seq } = await post(dispatcher, { type: 'team.assigned', payload: { team: 'team-1', county: '990101', reason: '问题集中' } });
		const event = await eventAt(seq);
		expect(event).toMatchObject({ type: 'team.assigned', province_code: '990000', city_code: null, county_code: null, sealed: true });
		expect(event.payload).toMatchObject({ team: 'team-1', county: { code: '990101' }, unannounced: true });
		const [team] = await db.sql`select status from team where id = 'team-1'`;
		expect(team.status).toBe('travelling');
		// the county reads its log without it, whichever way it asks
		const county = { code: '990101', level: 'county' } as never;
		const province = { code: '990000', level: 'province' } as never;
		const seen = await eventsAfter(db.sql, { region: county, after: 0, limit: 100 }, readerOf(officer));
		expect(seen.items.some((e) => e.type.startsWith('team.'))).toBe(false);
		const dispatched = await eventsAfter(db.sql, { region: province, after: seq - 1, limit: 1 }, readerOf(dispatcher));
		expect(dispatched.items[0].seq).toBe(seq);
	});

	it('refuses a second assignment while the team is out, and teams of another province or role', async () => {
		const before = await counts();
		expect((await refusal(post(dispatcher, { type: 'team.assigned', payload: { team: 'team-1', county: '990102' } }))).status).toBe(409);
		// another province's team is refused like one that does not exist
		expect((await refusal(post(otherDispatcher, { type: 'team.assigned', payload: { team: 'team-2', county: '990102' } }))).status).toBe(403);
		expect((await refusal(post(otherDispatcher, { type: 'team.assigned', payload: { team: 'team-404', county: '990102' } }))).status).toBe(403);
		expect((await refusal(post(inspector, { type: 'team.assigned', payload: { team: 'team-2', county: '990102' } }))).status).toBe(403);
		expect((await refusal(post(officer, { type: 'team.status', payload: { team: 'team-1', status: 'idle' } }))).status).toBe(403);
		expect(await counts()).toEqual(before);
	});

	it('lets a team member report the team\'s own position and status, and no other team\'s', async () => {
		const moved = await post(inspector, { type: 'team.location', payload: { team: 'team-1', lon: 100.3, lat: 30.2 } });
		expect(await eventAt(moved.seq)).toMatchObject({ type: 'team.location', sealed: true, county_code: null });
		const [{ lon }] = await db.sql`select st_x(point) as lon from team where id = 'team-1'`;
		expect(lon).toBeCloseTo(100.3);
		expect((await refusal(post(strayInspector, { type: 'team.location', payload: { team: 'team-1', lon: 100, lat: 30 } }))).status).toBe(403);
		const { seq } = await post(inspector, { type: 'team.status', payload: { team: 'team-1', status: 'inspecting' } });
		expect((await eventAt(seq)).payload).toMatchObject({ status: 'inspecting' });
		expect((await db.sql`select status from assignment where team_id = 'team-1'`)[0].status).toBe('underway');
	});

	it('turns a finding into a problem of the county with a deadline; the county learns of the problem, not of the team', async () => {
		const { seq } = await post(inspector, {
			type: 'team.finding',
			payload: { team: 'team-1', region: '990101001001', category: 'doctor', description: '村医无资质' }
		});
		const finding = await eventAt(seq);
		expect(finding).toMatchObject({ type: 'team.finding', sealed: true, county_code: null });
		const created = await eventAt(seq + 1);
		expect(created).toMatchObject({ type: 'problem.created', sealed: false, county_code: '990101' });
		expect(JSON.stringify(created.payload)).not.toContain('team');
		const [problem] = await db.sql`select source, deadline - found_on as days from problem where id = ${created.payload.problem}`;
		expect(problem).toEqual({ source: 'inspection', days: 30 });
		expect((await eventAt(seq + 2)).type).toBe('indicators.changed');
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('refuses a finding outside the county the team is sent to', async () => {
		const before = await counts();
		const error = await refusal(
			post(inspector, { type: 'team.finding', payload: { team: 'team-1', region: '990102001001', category: 'doctor', description: '越界' } })
		);
		expect(error.status).toBe(403);
		expect(await counts()).toEqual(before);
	});

	it('closes the assignment when the team is back from writing up, and by no shorter way', async () => {
		expect((await refusal(post(inspector, { type: 'team.status', payload: { team: 'team-1', status: 'idle' } }))).status).toBe(409);
		await post(inspector, { type: 'team.status', payload: { team: 'team-1', status: 'reporting' } });
		await post(inspector, { type: 'team.status', payload: { team: 'team-1', status: 'idle' } });
		expect((await db.sql`select status, ends_on is not null as ended from assignment where team_id = 'team-1'`)[0]).toEqual({ status: 'done', ended: true });
	});

	it('records a talk with a county leader, visible to the county, and only a dispatcher may', async () => {
		const payload = { region: '990101', leader: '测试县县长', reason: '整改进度滞后' };
		expect((await refusal(post(officer, { type: 'talk.recorded', payload }))).status).toBe(403);
		const { seq } = await post(dispatcher, { type: 'talk.recorded', payload });
		const event = await eventAt(seq);
		expect(event).toMatchObject({ type: 'talk.recorded', county_code: '990101', sealed: false });
		expect(event.payload).toMatchObject({ region: { code: '990101', level: 'county' }, leader: '测试县县长' });
		expect((await db.sql`select count(*)::int as n from talk where region_code = '990101'`)[0].n).toBe(1);
		const province = await refusal(post(dispatcher, { type: 'talk.recorded', payload: { ...payload, region: '990000' } }));
		expect(province.status).toBe(422);
	});

	it('rejects malformed payloads field by field', () => {
		const bad = postedEvent.safeParse({ type: 'team.location', payload: { team: 'team-1', lon: 200, lat: 'north' } });
		expect(bad.success).toBe(false);
		expect(bad.error!.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['payload.lat', 'payload.lon']);
		const late = postedEvent.safeParse({ type: 'problem.created', payload: { region: '990101', category: 'clinic', source: 'screening', description: 'x', deadline: '2001-01-01' } });
		expect(late.error!.issues[0].path.join('.')).toBe('payload.deadline');
	});
});
