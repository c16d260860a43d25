import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { addProblem, addTownship, addVillage, buildProvince, refusal } from '../helpers/fixtures';
import type { UserViewer } from '../../src/lib/server/events/write/planners';
import { postEvent } from '../../src/lib/server/events/write/post';
import { eventsAfter, readerOf } from '../../src/lib/server/events/log';
import { postedEvent } from '../../src/lib/server/events/types';
import { findRegion } from '../../src/lib/server/geo/regions';
import { changeTeam, createTeam } from '../../src/lib/server/teams/roster';
import { closeAssignment } from '../../src/lib/server/teams/assignments';
import { teamFor, teamsFor } from '../../src/lib/server/teams/teams';
import { suggestionsFor } from '../../src/lib/server/dispatch/suggestions';
import { drawCrossInspection } from '../../src/lib/server/dispatch/cross';

const user = (username: string, role: UserViewer['role'], scope: string | null, team: string | null = null): UserViewer => ({
	kind: 'user',
	id: 1,
	username,
	role,
	scope: scope ? { level: scope.endsWith('0000') ? 'province' : 'county', code: scope, name: scope } : null,
	team,
	sessionId: 'session'
});

const dispatcher = user('dispatcher-99', 'dispatcher', '990000');
const admin = user('admin-99', 'admin', '990000');
const stranger = user('dispatcher-88', 'dispatcher', '880000');
const officer = user('officer-990101', 'county_officer', '990101');

describe('teams, their rosters and where they are sent', () => {
	let db: TestDatabase;
	let team = '';
	const inspector = () => user('insp-a', 'inspector', null, team);
	const post = (viewer: UserViewer, input: unknown, key: string | null = null) => postEvent(viewer, postedEvent.parse(input), key, db.sql);
	const counts = async () =>
		(await db.sql`select (select count(*) from event)::int as events, (select count(*) from assignment)::int as assignments,
			(select count(*) from team)::int as teams, (select count(*) from problem)::int as problems`)[0];

	beforeAll(async () => {
		db = await freshDatabase();
		await buildProvince(db.sql);
		await db.sql`insert into region (code, name, level, province_code, geom)
			values ('880000', '他省', 'province', '880000', 'SRID=4326;MULTIPOLYGON(((90 30,91 30,91 31,90 31,90 30)))')`;
		await addTownship(db.sql, '990101', { code: '990101001' });
		await addVillage(db.sql, '990101001', { code: '990101001001', name: '甲村' });
		await addVillage(db.sql, '990101001', { code: '990101001002', name: '乙村' });
		await addTownship(db.sql, '990102', { code: '990102001' });
		await addVillage(db.sql, '990102001', { code: '990102001001' });
		await db.sql`insert into facility (id, name, kind, region_code, county_code) values ('990101001001-clinic', '甲村卫生室', 'village_clinic', '990101001001', '990101')`;
		await addProblem(db.sql, 'WT-990101-0001', '990101001001');
		await db.sql`insert into team (id, name, point, home_point, home_region) values ('team-7', '外省组', 'SRID=4326;POINT(90.5 30.5)', 'SRID=4326;POINT(90.5 30.5)', '880000')`;
		for (const [name, team] of [['insp-a', null], ['insp-b', null], ['insp-far', 'team-7']]) {
			await db.sql`insert into app_user (username, password_hash, role, scope_team) values (${name}, 'x', 'inspector', ${team})`;
		}
		await db.sql`select recompute_counters()`;
	});
	afterAll(() => db.close());

	it('creates a team at a base inside the creator\'s scope, with its members and leader, standing by', async () => {
		({ id: team } = await createTeam(dispatcher, { name: '第一检查组', home_region: '990100', home: { lon: 100.2, lat: 30.2 }, members: ['insp-a', 'insp-b'], leader: 'insp-a' }, db.sql));
		expect(team).toBe('team-8');
		const shown = await teamFor(dispatcher, team, db.sql);
		expect(shown).toMatchObject({ name: '第一检查组', status: 'idle', homeRegion: '990100', home: { lon: 100.2, lat: 30.2 }, lon: 100.2, lat: 30.2, leader: 'insp-a' });
		expect(shown.members).toEqual([{ username: 'insp-a', leader: true }, { username: 'insp-b', leader: false }]);
		const [event] = await db.sql`select type, sealed, province_code, county_code, payload from event where type = 'team.updated'`;
		expect(event).toMatchObject({ sealed: true, province_code: '990000', county_code: null, payload: { team, created: true } });
		const [audit] = await db.sql`select actor, action, entity from audit_log where action = 'team.create'`;
		expect(audit).toEqual({ actor: 'dispatcher-99', action: 'team.create', entity: 'team' });
	});

	it('keeps every grant inside the granter\'s scope: the base, and members from another province\'s team', async () => {
		const before = await counts();
		const outside = await refusal(createTeam(dispatcher, { name: '越界组', home_region: '880000' }, db.sql));
		expect(outside.details?.[0].field).toBe('home_region');
		const nowhere = await refusal(createTeam(dispatcher, { name: '越界组', home_region: '990999' }, db.sql));
		expect(nowhere.details).toEqual(outside.details);
		const taken = await refusal(createTeam(dispatcher, { name: '挖人组', home_region: '990000', members: ['insp-far'] }, db.sql));
		const unknown = await refusal(createTeam(dispatcher, { name: '挖人组', home_region: '990000', members: ['no-such-user'] }, db.sql));
		expect(taken.details).toEqual([{ field: 'members.0', message: '没有该检查员账号，或其不在本省' }]);
		expect(unknown.details).toEqual(taken.details);
		expect((await refusal(createTeam(officer, { name: 'x', home_region: '990101' }, db.sql))).status).toBe(403);
		// another province's team is refused like one that does not exist
		expect((await refusal(changeTeam(stranger, team, { name: 'x' }, db.sql))).status).toBe(403);
		expect((await refusal(changeTeam(stranger, 'team-404', { name: 'x' }, db.sql))).status).toBe(403);
		expect(await counts()).toEqual(before);
	});

	it('changes the roster: a member left off stands between teams and reads no team', async () => {
		const { moved } = await changeTeam(admin, team, { members: ['insp-a'], name: '第一飞行检查组' }, db.sql);
		expect(moved).toEqual(['insp-b']);
		const [b] = await db.sql`select scope_team from app_user where username = 'insp-b'`;
		expect(b.scope_team).toBeNull();
		expect((await refusal(teamsFor(user('insp-b', 'inspector', null, null), {}, db.sql))).status).toBe(403);
		expect((await teamFor(inspector(), team, db.sql)).members).toEqual([{ username: 'insp-a', leader: true }]);
		expect((await refusal(changeTeam(admin, team, { leader: 'insp-b' }, db.sql))).details?.[0].field).toBe('leader');
	});

	it('moves a team only by its allowed moves', async () => {
		expect((await refusal(post(inspector(), { type: 'team.status', payload: { team, status: 'inspecting' } }))).status).toBe(409);
		// standby to travelling is an assignment's, not a status post's
		expect((await refusal(post(inspector(), { type: 'team.status', payload: { team, status: 'travelling' } }))).status).toBe(409);
		await changeTeam(dispatcher, team, { status: 'off_duty' }, db.sql);
		expect((await teamFor(dispatcher, team, db.sql)).status).toBe('off_duty');
		const busy = await refusal(post(dispatcher, { type: 'team.assigned', payload: { team, county: '990101' } }));
		expect(busy).toMatchObject({ status: 409, code: 'team_unavailable' });
		await changeTeam(dispatcher, team, { status: 'idle', position: { lon: 100.25, lat: 30.25 } }, db.sql);
		expect(await teamFor(dispatcher, team, db.sql)).toMatchObject({ status: 'idle', lon: 100.25, lat: 30.25 });
	});

	it('sends the team unannounced with places to visit: sealed at the province, nothing at the county', async () => {
		const [{ head }] = await db.sql`select coalesce(max(seq), 0)::int as head from event`;
		const { seq } = await post(dispatcher, {
			type: 'team.assigned',
			payload: { team, county: '990101', places: ['990101001002', '990101001001-clinic'], reason: '逾期问题多' }
		});
		const [event] = await db.sql`select * from event where seq = ${seq}`;
		expect(event).toMatchObject({ type: 'team.assigned', sealed: true, province_code: '990000', county_code: null });
		expect(event.payload).toMatchObject({ team, county: { code: '990101' }, unannounced: true, places: 2 });
		expect(await db.sql`select type from event where seq > ${head}`).toEqual([{ type: 'team.assigned' }]);
		const shown = await teamFor(inspector(), team, db.sql);
		expect(shown.status).toBe('travelling');
		expect(shown.assignment!.places.map((p) => [p.id, p.kind, p.name])).toEqual([
			['990101001002', 'village', '乙村'],
			['990101001001-clinic', 'facility', '甲村卫生室']
		]);
		const county = await findRegion('990101', db.sql);
		const seen = await eventsAfter(db.sql, { region: county, after: head, limit: 100 }, readerOf(officer));
		expect(seen.total).toBe(0);
	});

	it('refuses places outside the county and dates that end before they start, writing nothing', async () => {
		const [other] = await db.sql`insert into team (id, name, point, home_point, home_region) values ('team-9', '二组', 'SRID=4326;POINT(100 30)', 'SRID=4326;POINT(100 30)', '990000') returning id`;
		const before = await counts();
		const place = await refusal(post(dispatcher, { type: 'team.assigned', payload: { team: other.id, county: '990102', places: ['990102001001', '990101001001'] } }));
		expect(place.details).toEqual([{ field: 'payload.places.1', message: '该地点不在所派县内' }]);
		const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
		const inTwoDays = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
		const parsed = postedEvent.safeParse({ type: 'team.assigned', payload: { team: other.id, county: '990102', starts_on: inAWeek, ends_on: inTwoDays } });
		expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['payload.ends_on']);
		expect(await counts()).toEqual(before);
	});

	it('tells the county of an announced inspection, without the team', async () => {
		const { seq } = await post(dispatcher, { type: 'team.assigned', payload: { team: 'team-9', county: '990102', unannounced: false } });
		const [notice] = await db.sql`select * from event where seq = ${seq + 1}`;
		expect(notice).toMatchObject({ type: 'inspection.notice', sealed: false, county_code: '990102' });
		expect(JSON.stringify(notice.payload)).not.toMatch(/team/);
		await closeAssignment(dispatcher, 'team-9', notice.payload.assignment, 'cancelled', db.sql);
		const [cancelled] = await db.sql`select payload from event where type = 'inspection.notice' order by seq desc limit 1`;
		expect(cancelled.payload).toMatchObject({ assignment: notice.payload.assignment, status: 'cancelled' });
		expect((await teamFor(dispatcher, 'team-9', db.sql)).status).toBe('idle');
	});

	it('follows the team on site and back: arrival, a finding of the county, the write-up, completion', async () => {
		const arrived = await post(inspector(), { type: 'team.status', payload: { team, status: 'inspecting', lon: 100.15, lat: 30.15 } });
		expect((await db.sql`select type from event where seq >= ${arrived.seq} order by seq`).map((e) => e.type)).toEqual(['team.status', 'team.location']);
		const [a] = await db.sql`select status, visited_on is not null as visited from assignment where team_id = ${team} and status <> 'done'`;
		expect(a).toEqual({ status: 'underway', visited: true });
		const found = await post(inspector(), { type: 'team.finding', payload: { team, region: '990101001002', category: 'clinic', description: '村卫生室无人值守' } }, 'photo-1');
		const [link] = await db.sql`select f.team_id, f.reported_by, p.source from finding f join problem p on p.id = f.problem_id`;
		expect(link).toEqual({ team_id: team, reported_by: 'insp-a', source: 'inspection' });
		// the county's copy names nobody
		const copies = await db.sql`select type, actor from event where seq > ${found.seq} order by seq`;
		expect(copies).toEqual([{ type: 'problem.created', actor: null }, { type: 'indicators.changed', actor: null }]);
		expect((await db.sql`select actor from event where seq = ${found.seq}`)[0].actor).toBe('insp-a');
		await post(inspector(), { type: 'team.status', payload: { team, status: 'reporting' } });
		// a member completes; only a dispatcher cancels
		const [{ id }] = await db.sql`select id from assignment where team_id = ${team} and status = 'underway'`;
		expect((await refusal(closeAssignment(inspector(), team, id, 'cancelled', db.sql))).status).toBe(403);
		await closeAssignment(inspector(), team, id, 'done', db.sql);
		expect(await teamFor(dispatcher, team, db.sql)).toMatchObject({ status: 'idle', assignment: null });
		expect((await refusal(closeAssignment(dispatcher, team, id, 'done', db.sql))).status).toBe(409);
	});

	it('takes a finding that arrives after the team came back, for the county it was sent to', async () => {
		const late = await post(inspector(), { type: 'team.finding', payload: { team, region: '990101001001', category: 'doctor', description: '离线时记录的问题' } });
		expect(late.seq).toBeGreaterThan(0);
		const wrong = await refusal(post(inspector(), { type: 'team.finding', payload: { team, region: '990102001001', category: 'doctor', description: '越界' } }));
		expect(wrong.status).toBe(403);
	});

	it('feeds the completed visit back into the suggestions: inspected today, held back', async () => {
		const { items } = await suggestionsFor((await findRegion('990000', db.sql))!, {}, db.sql);
		const county = items.find((s) => s.county.code === '990101')!;
		expect(county.factors.daysSince).toBe(0);
		expect(county.score).toBe(0);
		expect(county.reasons.at(-1)).toBe('0 天前刚检查过（90 天内减负）');
	});
});

describe('cross-inspection rounds', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
		await buildProvince(db.sql);
		for (const code of ['990200', '990300', '990400']) {
			await db.sql`insert into region (code, name, level, parent_code, province_code, city_code, geom)
				values (${code}, ${'测试市' + code.slice(3, 4)}, 'city', '990000', '990000', ${code}, 'SRID=4326;MULTIPOLYGON(((100 30,101 30,101 31,100 31,100 30)))')`;
		}
	});
	afterAll(() => db.close());

	it('stores a draw as assignments of the cities and replaces it on a re-draw', async () => {
		const province = (await findRegion('990000', db.sql))!;
		const first = await drawCrossInspection(dispatcher, province, undefined, { db: db.sql });
		expect(first.items).toHaveLength(4);
		const rows = await db.sql`select inspector_region, county_code, status, team_id from assignment where cross_inspection_id = ${first.id} order by id`;
		expect(rows.map((r) => ({ inspector: r.inspector_region, target: r.county_code }))).toEqual(first.items);
		expect(rows.every((r) => r.status === 'assigned' && r.team_id === null)).toBe(true);
		const second = await drawCrossInspection(dispatcher, province, ['990100', '990200', '990300'], { db: db.sql });
		expect(second.items.map((p) => p.inspector).sort()).toEqual(['990100', '990200', '990300']);
		const [{ left }] = await db.sql`select count(*)::int as left from assignment where cross_inspection_id = ${first.id} and status <> 'cancelled'`;
		expect(left).toBe(0);
		const [event] = await db.sql`select sealed, county_code, payload from event where type = 'cross_inspection.drawn' order by seq desc limit 1`;
		expect(event).toMatchObject({ sealed: true, county_code: null, payload: { round: second.id, replaced: first.id } });
	});

	it('refuses a city of another province and a dispatcher of another', async () => {
		const province = (await findRegion('990000', db.sql))!;
		const wrong = await refusal(drawCrossInspection(dispatcher, province, ['990100', '370100'], { db: db.sql }));
		expect(wrong.details).toEqual([{ field: 'cities.1', message: '该市不在本省' }]);
		expect((await refusal(drawCrossInspection(stranger, province, undefined, { db: db.sql }))).status).toBe(403);
	});
});
