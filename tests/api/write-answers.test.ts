// What a write answers for a subject outside the writer's scope and for one that does not exist:
// the same status, code and words, for every subject a write names (patient, facility, problem,
// region, team, assignment), so that no write tells an existing record elsewhere from none.
// Nothing is written by any of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, baseUrl, call, login, type Caller } from '../helpers/api';

const sql = appDatabase();
const suffix = Math.random().toString(36).slice(2, 7);
const callers: Record<string, Caller> = {};
// subjects of 齐河县 (371425, beside the officer's 临邑县) and of 甘肃 (outside the dispatcher's 山东)
const elsewhere: Record<string, string | number> = {};
let written: unknown = null;

const post = (caller: Caller, type: string, payload: unknown) => call('/api/events', { ...caller, method: 'POST', json: { type, payload } });
// a deadline a month ahead
const SOON = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const answer = (res: { status: number; body: unknown }) => [res.status, res.body];
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ea80000000049454e44ae426082', 'hex');

async function upload(caller: Caller, path: string) {
	const form = new FormData();
	form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'x.png');
	const res = await fetch(`${baseUrl()}${path}`, { method: 'POST', body: form, headers: { cookie: caller.cookie!, origin: baseUrl() } });
	return { status: res.status, body: await res.json() };
}

/** The subjects' state, and what a write of them would have added: unchanged by every refusal. */
const writes = async () =>
	(
		await sql`select
			(select array_agg(doctors order by id) from facility where id in (${String(elsewhere.facility)}, ${String(elsewhere.gansuFacility)})) as doctors,
			(select treated_on from patient where id = ${String(elsewhere.patient)}) as treated,
			(select array_agg(status || supervised::text order by id) from problem where id in (${Number(elsewhere.problem)}, ${Number(elsewhere.gansuProblem)})) as problems,
			(select status || coalesce(st_astext(point), '') || name from team where id = 'team-10') as team,
			(select count(*)::int from talk where region_code like '62%' or region_code = '371425') as talks,
			(select count(*)::int from problem where description = 'x') as created,
			(select count(*)::int from assignment where team_id = 'team-10') as assignments,
			(select count(*)::int from problem_evidence where problem_id in (${Number(elsewhere.problem)}, ${Number(elsewhere.gansuProblem)})) as evidence,
			(select count(*)::int from audit_log
				where ((entity = 'patient' and entity_id = ${String(elsewhere.patient)})
					or (entity = 'facility' and entity_id in (${String(elsewhere.facility)}, ${String(elsewhere.gansuFacility)}))
					or (entity = 'team' and entity_id = 'team-10')
					or (entity = 'problem' and entity_id in (${String(elsewhere.problem)}, ${String(elsewhere.gansuProblem)}))
					or (entity = 'assignment' and entity_id = ${String(elsewhere.assignment)}))
				-- this file's callers: other files' own accounts of 甘肃 act on its teams meanwhile
				and actor in ('dispatcher', 'officer-371424', 'inspector-1')) as audits`
	)[0];

beforeAll(async () => {
	let address = 10;
	for (const name of ['dispatcher', 'officer-371424', 'inspector-1']) callers[name] = { cookie: await login(name, undefined, `127.0.42.${address++}`) };
	[{ id: elsewhere.patient }] = await sql`select id from patient where county_code = '371425' order by id limit 1`;
	[{ id: elsewhere.facility }] = await sql`select id from facility where county_code = '371425' order by id limit 1`;
	[{ id: elsewhere.problem }] = await sql`
		insert into problem (code, region_code, county_code, category, source, description, found_on, deadline, responsible_unit, responsible_leader)
		values (${`WT-371425-W${suffix}`}, '371425', '371425', 'clinic', 'screening', '写入应答测试', current_date, current_date + 30, '齐河县卫生健康局', '王副县长')
		returning id`;
	[{ code: elsewhere.village }] = await sql`select code from region where county_code = '371425' and level = 'village' order by code limit 1`;
	[{ id: elsewhere.gansuFacility }] = await sql`select id from facility where county_code like '62%' order by id limit 1`;
	[{ id: elsewhere.gansuProblem }] = await sql`
		insert into problem (code, region_code, county_code, category, source, description, found_on, deadline, responsible_unit, responsible_leader)
		values (${`WT-620102-W${suffix}`}, '620102', '620102', 'clinic', 'screening', '写入应答测试', current_date, current_date + 30, '城关区卫生健康局', '王副区长')
		returning id`;
	// an assignment of a team of 甘肃, ended: a dispatcher of 山东 may not reach it
	[{ id: elsewhere.assignment }] = await sql`
		insert into assignment (team_id, county_code, starts_on, status, ended_at, reason)
		values ('team-10', '620102', current_date, 'cancelled', now(), 'write-answers') returning id`;
	written = await writes();
});

afterAll(async () => {
	await sql`delete from assignment where reason = 'write-answers'`;
	await sql`delete from problem where code in ${sql([`WT-620102-W${suffix}`, `WT-371425-W${suffix}`])}`;
	await sql.end();
});

// each row: one write, its subject elsewhere and its subject nowhere
const events: { who: string; type: string; elsewhere: () => unknown; nowhere: unknown }[] = [
	{ who: 'officer-371424', type: 'patient.treated', elsewhere: () => ({ patient: elsewhere.patient }), nowhere: { patient: 'NO-SUCH-PATIENT' } },
	{ who: 'officer-371424', type: 'facility.updated', elsewhere: () => ({ facility: elsewhere.facility, doctors: 1 }), nowhere: { facility: 'no-such-facility', doctors: 1 } },
	{ who: 'dispatcher', type: 'facility.updated', elsewhere: () => ({ facility: elsewhere.gansuFacility, doctors: 1 }), nowhere: { facility: 'no-such-facility', doctors: 1 } },
	{ who: 'officer-371424', type: 'problem.status_changed', elsewhere: () => ({ problem: elsewhere.problem, status: 'rectifying', note: 'x' }), nowhere: { problem: 999999999, status: 'rectifying', note: 'x' } },
	{ who: 'dispatcher', type: 'problem.supervised', elsewhere: () => ({ problem: elsewhere.gansuProblem }), nowhere: { problem: 999999999 } },
	{ who: 'dispatcher', type: 'problem.status_changed', elsewhere: () => ({ problem: elsewhere.gansuProblem, status: 'closed', note: 'x' }), nowhere: { problem: 999999999, status: 'closed', note: 'x' } },
	...['371425', '371400', '370000'].map((region) => ({
		who: 'officer-371424',
		type: 'problem.created',
		elsewhere: () => ({ region, category: 'clinic', source: 'screening', description: 'x', deadline: SOON }),
		nowhere: { region: '371499', category: 'clinic', source: 'screening', description: 'x', deadline: SOON }
	})),
	{
		who: 'officer-371424',
		type: 'problem.created',
		elsewhere: () => ({ region: elsewhere.village, category: 'clinic', source: 'screening', description: 'x', deadline: SOON }),
		nowhere: { region: '371425999999', category: 'clinic', source: 'screening', description: 'x', deadline: SOON }
	},
	// a county, a city, and a province (not a level talks are held at)
	...['620102', '620100', '620000'].map((region) => ({
		who: 'dispatcher',
		type: 'talk.recorded',
		elsewhere: () => ({ region, leader: '王', reason: 'x' }),
		nowhere: { region: '629999', leader: '王', reason: 'x' }
	})),
	{ who: 'inspector-1', type: 'team.status', elsewhere: () => ({ team: 'team-10', status: 'travelling' }), nowhere: { team: 'team-99999', status: 'travelling' } },
	{ who: 'dispatcher', type: 'team.location', elsewhere: () => ({ team: 'team-10', lon: 103.8, lat: 36.1 }), nowhere: { team: 'team-99999', lon: 103.8, lat: 36.1 } },
	{ who: 'dispatcher', type: 'team.assigned', elsewhere: () => ({ team: 'team-10', county: '620102' }), nowhere: { team: 'team-99999', county: '620102' } },
	{ who: 'inspector-1', type: 'team.finding', elsewhere: () => ({ team: 'team-10', region: '620102', category: 'clinic', description: 'x' }), nowhere: { team: 'team-99999', region: '620102', category: 'clinic', description: 'x' } }
];

describe('POST /api/events', () => {
	it.each(events.map((row, i) => ({ ...row, i })))('$type by $who (#$i): a subject elsewhere is answered as one that does not exist', async (row) => {
		const there = await post(callers[row.who], row.type, row.elsewhere());
		const none = await post(callers[row.who], row.type, row.nowhere);
		expect(answer(there)).toEqual(answer(none));
		expect(there.status).toBe(403);
		expect(await writes()).toEqual(written);
	});
});

describe('the ledger item and team routes', () => {
	const team = (who: string, method: string, path: (team: string) => string, json?: unknown) => ({ who, method, path, json, label: path('{id}').replace('undefined', '{assignment}') });
	const routes = [
		team('dispatcher', 'POST', (t) => `/api/teams/${t}/status`, { status: 'travelling' }),
		team('inspector-1', 'POST', (t) => `/api/teams/${t}/status`, { lon: 103.8, lat: 36.1 }),
		team('dispatcher', 'POST', (t) => `/api/teams/${t}/assignments`, { county: '620102' }),
		team('inspector-1', 'POST', (t) => `/api/teams/${t}/findings`, { region: '620102', category: 'clinic', description: 'x' }),
		team('dispatcher', 'PATCH', (t) => `/api/teams/${t}`, { name: `改名${suffix}` }),
		team('dispatcher', 'PATCH', (t) => `/api/teams/${t}/assignments/${elsewhere.assignment}`, { status: 'cancelled' })
	];

	it.each(routes)('$method $label by $who: a team elsewhere is answered as one that does not exist', async (row) => {
		const there = await call(row.path('team-10'), { ...callers[row.who], method: row.method, json: row.json });
		const none = await call(row.path('team-99999'), { ...callers[row.who], method: row.method, json: row.json });
		expect(answer(there)).toEqual(answer(none));
		expect(there.status).toBe(403);
		expect(await writes()).toEqual(written);
	});

	it("PATCH /api/teams/{id}/assignments/{id}: another team's assignment is answered as one that does not exist", async () => {
		const json = { status: 'cancelled' };
		const there = await call(`/api/teams/team-6/assignments/${elsewhere.assignment}`, { ...callers.dispatcher, method: 'PATCH', json });
		const none = await call('/api/teams/team-6/assignments/999999999', { ...callers.dispatcher, method: 'PATCH', json });
		expect(answer(there)).toEqual(answer(none));
		expect(await writes()).toEqual(written);
	});

	it('POST /api/teams/{id}/photos: a team elsewhere is answered as one that does not exist', async () => {
		const there = await upload(callers.dispatcher, '/api/teams/team-10/photos');
		const none = await upload(callers.dispatcher, '/api/teams/team-99999/photos');
		expect(answer(there)).toEqual(answer(none));
		expect(there.status).toBe(403);
		expect((await sql`select count(*)::int as n from team_photo where team_id = 'team-10'`)[0].n).toBe(0);
	});

	it('PATCH /api/problems/{id} and its evidence: an item elsewhere is answered as one that does not exist', async () => {
		const officer = callers['officer-371424'];
		const move = { status: 'rectifying', note: 'x' };
		const there = await call(`/api/problems/${elsewhere.problem}`, { ...officer, method: 'PATCH', json: move });
		const none = await call('/api/problems/999999999', { ...officer, method: 'PATCH', json: move });
		expect(answer(there)).toEqual(answer(none));
		const deadline = { deadline: SOON, reason: 'x' };
		const far = await call(`/api/problems/${elsewhere.gansuProblem}`, { ...callers.dispatcher, method: 'PATCH', json: deadline });
		expect(answer(far)).toEqual(answer(await call('/api/problems/999999999', { ...callers.dispatcher, method: 'PATCH', json: deadline })));
		const file = await upload(officer, `/api/problems/${elsewhere.problem}/evidence`);
		expect(answer(file)).toEqual(answer(await upload(officer, '/api/problems/999999999/evidence')));
		expect(await writes()).toEqual(written);
	});
});
