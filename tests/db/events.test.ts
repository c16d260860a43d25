import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { addFacility, addPatient, addProblem, addTownship, addVillage, buildProvince, refusal } from '../helpers/fixtures';
import type { Viewer } from '../../src/lib/server/auth/viewer';
import { findRegion } from '../../src/lib/server/geo/regions';
import { counterDrift } from '../../src/lib/server/indicators/counters';
import { regionIndicators } from '../../src/lib/server/indicators/queries';
import { appendEvent, appendEvents, eventsAfter, readerOf } from '../../src/lib/server/events/log';
import { transaction } from '../../src/lib/server/db';
import { commitPlan, postEvent } from '../../src/lib/server/events/write/post';
import { problemEvidence } from '../../src/lib/server/events/write/planners/problems';
import type { UserViewer } from '../../src/lib/server/events/write/planners/plan';
import { postedEvent, type PostedEvent } from '../../src/lib/server/events/types';
import type { Sql } from '../../src/lib/server/db';

const user = (username: string, role: 'county_officer' | 'dispatcher' | 'leader' | 'inspector', scope: string | null): Viewer => ({
	kind: 'user',
	id: 1,
	username,
	role,
	scope: scope ? { level: scope.endsWith('0000') ? 'province' : 'county', code: scope, name: scope } : null,
	team: role === 'inspector' ? 'team-1' : null,
	sessionId: 'session'
});

const officer = user('officer-990101', 'county_officer', '990101');
const dispatcher = user('dispatcher', 'dispatcher', '990000');
const leader = user('leader', 'leader', '990000');

const WRITERS = 50;
/** a facility.updated payload for events appended by hand */
const facility = { facility: 'f-1', kind: 'village_clinic', doctors: 1, licensed_doctors: 0, standard_met: false };

/** County 990101 holds a village with 60 chronic patients, a clinic and problems; 990102 one patient. */
async function build(sql: Sql) {
	await buildProvince(sql);
	await addTownship(sql, '990101', { code: '990101001' });
	await addVillage(sql, '990101001', { code: '990101001001' });
	await addTownship(sql, '990102', { code: '990102001' });
	await addVillage(sql, '990102001', { code: '990102001001' });
	for (let i = 0; i < 60; i++) await addPatient(sql, { id: `C${String(i).padStart(3, '0')}`, village: '990101001001', category: 'chronic' });
	await addPatient(sql, { id: 'OTHER1', village: '990102001001', category: 'serious_illness', identified: '2020-01-02' });
	await addFacility(sql, { id: 'clinic-1', kind: 'village_clinic', region: '990101001001' });
	await addFacility(sql, { id: 'centre-1', kind: 'township_center', region: '990101001' });
	await addProblem(sql, 'P1', '990101001001');
	await addProblem(sql, 'P2', '990101');
	await sql`select recompute_counters()`;
}


const signed = (patient: string, date = '2020-03-02'): PostedEvent => ({ type: 'patient.signed', payload: { patient, date } });

describe('the event log', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
		await build(db.sql);
	});
	afterAll(() => db.close());

	const events = async () => (await db.sql`select count(*)::int as n from event`)[0].n as number;
	const audits = async () => (await db.sql`select count(*)::int as n from audit_log`)[0].n as number;

	it('hands out seq in commit order: a writer that commits later gets the larger seq', async () => {
		const region = (await findRegion('990101', db.sql))!;
		let releaseFirst!: () => void;
		const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
		let firstAppended!: () => void;
		const appended = new Promise<void>((resolve) => (firstAppended = resolve));
		const first = db.sql.begin(async (tx) => {
			const event = await appendEvent(tx, { type: 'facility.updated', region, actor: 'a', payload: facility });
			firstAppended();
			await firstHolds;
			return event.seq;
		});
		await appended;
		const second = db.sql.begin(async (tx) => (await appendEvent(tx, { type: 'facility.updated', region, actor: 'b', payload: facility })).seq);
		await new Promise((r) => setTimeout(r, 150));
		// the second writer waits for the first to commit; nothing is visible yet (the embedded
		// database runs one transaction at a time, so there a third connection could not look)
		if (db.kind === 'postgres') expect(await events()).toBe(0);
		releaseFirst();
		const [a, b] = await Promise.all([first, second]);
		expect([a, b]).toEqual([1, 2]);
	});

	it(`keeps seq gapless and commit-ordered under ${WRITERS} concurrent writers, as a reader polling meanwhile sees`, async () => {
		const start = (await db.sql`select coalesce(max(seq), 0) as seq from event`)[0].seq as number;
		let done = false;
		const seen: number[] = [];
		const reader = (async () => {
			let last = start;
			while (!done) {
				const rows = await db.sql`select seq from event where seq > ${last} order by seq`;
				// a reader that has seen N has seen everything below N: no seq ever appears late
				rows.forEach((row, i) => expect(row.seq).toBe(last + i + 1));
				for (const row of rows) seen.push(row.seq);
				if (rows.length) last = rows[rows.length - 1].seq;
				await new Promise((r) => setTimeout(r, 2));
			}
		})();
		const seqs = await Promise.all(
			Array.from({ length: WRITERS }, (_, i) => postEvent(officer, signed(`C${String(i).padStart(3, '0')}`), null, db.sql))
		);
		done = true;
		await reader;
		// each post appends its event; each batch that formed, one indicators.changed per county it moved
		const rows = await db.sql`select seq, type from event where seq > ${start} order by seq`;
		const all = rows.map((row) => row.seq as number);
		expect(all).toEqual(Array.from({ length: all.length }, (_, i) => start + i + 1));
		expect(rows.filter((row) => row.type !== 'indicators.changed').length).toBe(WRITERS);
		expect(new Set(seqs.map((s) => s.seq)).size).toBe(WRITERS);
		expect(seen).toEqual(all.slice(0, seen.length));
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('applies a retried write once and answers it with the first seq', async () => {
		const [eventsBefore, auditsBefore] = [await events(), await audits()];
		const first = await postEvent(officer, { type: 'patient.followed_up', payload: { patient: 'C050', date: '2020-04-01' } }, 'retry-1', db.sql);
		const again = await Promise.all(
			Array.from({ length: 5 }, () =>
				postEvent(officer, { type: 'patient.followed_up', payload: { patient: 'C050', date: '2020-04-01' } }, 'retry-1', db.sql)
			)
		);
		expect(again.map((a) => a.seq)).toEqual(Array(5).fill(first.seq));
		expect(again.every((a) => a.repeated)).toBe(true);
		expect(await events()).toBe(eventsBefore + 2);
		expect(await audits()).toBe(auditsBefore + 1);
	});

	it('applies concurrent first attempts with one key once', async () => {
		const before = await events();
		const answers = await Promise.all(Array.from({ length: 8 }, () => postEvent(officer, signed('C051'), 'race-1', db.sql)));
		expect(new Set(answers.map((a) => a.seq)).size).toBe(1);
		expect(answers.filter((a) => !a.repeated)).toHaveLength(1);
		expect(await events()).toBe(before + 2);
	});

	it("keeps one user's key apart from another's", async () => {
		const a = await postEvent(officer, signed('C052'), 'shared-key', db.sql);
		const b = await postEvent(dispatcher, signed('C053'), 'shared-key', db.sql);
		expect(b.seq).not.toBe(a.seq);
		expect(b.repeated).toBe(false);
	});

	it('refuses a county officer posting for a patient of another county, and writes nothing', async () => {
		const [eventsBefore, auditsBefore] = [await events(), await audits()];
		const error = await refusal(postEvent(officer, { type: 'patient.treated', payload: { patient: 'OTHER1' } }, 'other-county', db.sql));
		expect(error.status).toBe(403);
		expect(error.message).not.toContain('990102');
		expect([await events(), await audits()]).toEqual([eventsBefore, auditsBefore]);
		const [patient] = await db.sql`select treated_on from patient where id = 'OTHER1'`;
		expect(patient.treated_on).toBeNull();
		expect(await db.sql`select 1 from event where idempotency_key like '%other-county'`).toHaveLength(0);
	});

	it('lets a dispatcher post anywhere in the province', async () => {
		const { seq } = await postEvent(dispatcher, { type: 'patient.treated', payload: { patient: 'OTHER1', date: '2020-02-01' } }, null, db.sql);
		const [event] = await db.sql`select county_code, village_code, payload from event where seq = ${seq}`;
		expect(event).toEqual({ county_code: '990102', village_code: '990102001001', payload: { patient: 'OTHER1', date: '2020-02-01' } });
	});

	it('refuses leaders and inspectors, and an unknown subject as one out of scope', async () => {
		expect((await refusal(postEvent(leader, signed('C054'), null, db.sql))).status).toBe(403);
		expect((await refusal(postEvent(user('i', 'inspector', null), signed('C054'), null, db.sql))).status).toBe(403);
		expect((await refusal(postEvent(officer, signed('NOPE99'), null, db.sql))).status).toBe(403);
	});

	it('updates a facility and moves the counters with it', async () => {
		const before = await regionIndicators((await findRegion('990101', db.sql))!, db.sql);
		const { seq } = await postEvent(officer, { type: 'facility.updated', payload: { facility: 'clinic-1', doctors: 2, standard_met: true } }, null, db.sql);
		const after = await regionIndicators((await findRegion('990101', db.sql))!, db.sql);
		expect(after.clinic_coverage).not.toBe(before.clinic_coverage);
		const [event] = await db.sql`select payload from event where seq = ${seq}`;
		expect(event.payload).toMatchObject({ facility: 'clinic-1', doctors: 2, licensed_doctors: 0, standard_met: true });
		await postEvent(officer, { type: 'facility.updated', payload: { facility: 'centre-1', licensed_doctors: 3 } }, null, db.sql);
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('writes the new indicators of the county, city and province with each change', async () => {
		const { seq } = await postEvent(officer, { type: 'patient.enrolled', payload: { patient: 'C055' } }, null, db.sql);
		const [changed] = await db.sql`select type, county_code, payload from event where seq = ${seq + 1}`;
		expect(changed.type).toBe('indicators.changed');
		expect(changed.payload.cause).toBe(seq);
		expect(changed.payload.regions.map((r: { code: string }) => r.code)).toEqual(['990101', '990100', '990000']);
		for (const r of changed.payload.regions) {
			expect(r.indicators).toEqual(await regionIndicators((await findRegion(r.code, db.sql))!, db.sql));
		}
		const [patient] = await db.sql`select insured, enrolled_on from patient where id = 'C055'`;
		expect(patient.insured).toBe(true);
		expect(patient.enrolled_on).not.toBeNull();
	});

	it('moves a problem open → rectifying → submitted → closed, each step by its part, and refuses to skip one', async () => {
		const [{ id }] = await db.sql`select id from problem where code = 'P1'`;
		const move = (status: 'rectifying' | 'submitted' | 'closed', extra: { evidence?: number[] } = {}) =>
			({ type: 'problem.status_changed', payload: { problem: id, status, note: '整改说明', ...extra } }) as const;
		// the county never closes; nor does it submit before it rectifies
		expect((await refusal(postEvent(officer, move('closed'), null, db.sql))).status).toBe(403);
		expect((await refusal(postEvent(officer, move('submitted'), null, db.sql))).status).toBe(409);
		await postEvent(officer, move('rectifying'), null, db.sql);
		const [rectifying] = await db.sql`select status, closed_at from problem where id = ${id}`;
		expect(rectifying).toEqual({ status: 'rectifying', closed_at: null });
		const bare = await refusal(postEvent(officer, move('submitted'), null, db.sql));
		expect(bare.status).toBe(422);
		expect(bare.details?.[0].field).toBe('evidence');
		const photo = Buffer.from('89504e470d0a1a0a', 'hex');
		const [added] = await commitPlan(officer as UserViewer, 'problem.evidence_added', (tx) => problemEvidence(tx, id, { name: 'a.png', type: 'image/png', size: photo.length, sha256: 'x', content: photo }, officer as UserViewer), db.sql);
		const evidence = [(added.payload as { evidence: { id: number } }).evidence.id];
		await postEvent(officer, move('submitted', { evidence }), null, db.sql);
		const [submitted] = await db.sql`select status, closed_at from problem where id = ${id}`;
		expect(submitted).toEqual({ status: 'submitted', closed_at: null });
		await postEvent(dispatcher, move('closed'), null, db.sql);
		const [closed] = await db.sql`select status, closed_at from problem where id = ${id}`;
		expect(closed.status).toBe('closed');
		expect(closed.closed_at).toBeInstanceOf(Date);
		const [{ id: countyProblem }] = await db.sql`select id from problem where code = 'P2'`;
		await postEvent(officer, { type: 'problem.status_changed', payload: { problem: countyProblem, status: 'rectifying', note: '开始整改' } }, null, db.sql);
		expect(await counterDrift(db.sql)).toEqual([]);
	});

	it('names the fields of a malformed payload', () => {
		const cases: [unknown, string][] = [
			[{ type: 'patient.signed', payload: { patient: 'C001', date: '2020-02-30' } }, 'payload.date'],
			[{ type: 'patient.signed', payload: { date: '2020-02-01' } }, 'payload.patient'],
			[{ type: 'facility.updated', payload: { facility: 'clinic-1', doctors: -1 } }, 'payload.doctors'],
			[{ type: 'facility.updated', payload: { facility: 'clinic-1' } }, 'payload.doctors'],
			[{ type: 'problem.status_changed', payload: { problem: 1, status: 'done' } }, 'payload.status'],
			[{ type: 'indicators.changed', payload: {} }, 'type'],
			[{ type: 'patient.signed' }, 'payload']
		];
		for (const [input, field] of cases) {
			const result = postedEvent.safeParse(input);
			expect(result.success, JSON.stringify(input)).toBe(false);
			expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain(field);
		}
	});

	it('replays in seq order by region, and keeps sealed events from those who may not read them', async () => {
		const county = (await findRegion('990102', db.sql))!;
		await db.sql.begin((tx) => appendEvent(tx, { type: 'team.location', region: county, actor: 'x', payload: { team: 'team-9', lon: 110, lat: 30 }, sealed: true }));
		const open = await eventsAfter(db.sql, { region: county, after: 0, limit: 100 }, readerOf(officer));
		const all = await eventsAfter(db.sql, { region: county, after: 0, limit: 100 }, readerOf(dispatcher));
		expect(all.total).toBe(open.total + 1);
		expect(open.items.every((e) => e.path.county === '990102' && !e.sealed)).toBe(true);
		const seqs = all.items.map((e) => e.seq);
		expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
		const page = await eventsAfter(db.sql, { region: county, after: seqs[0], limit: 1 }, readerOf(dispatcher));
		expect(page.items.map((e) => e.seq)).toEqual([seqs[1]]);
	});

	it('commits in the pipeline of the insert, and rolls back all of the transaction when that insert fails', async () => {
		const region = (await findRegion('990101', db.sql))!;
		const head = async () => (await db.sql`select coalesce(max(seq), 0)::int as seq from event`)[0].seq as number;
		const start = await head();
		const [{ n: before }] = await db.sql`select count(*)::int as n from audit_log`;
		// PostgreSQL's jsonb holds no NUL: the insert fails after the COMMIT has gone out behind it
		await expect(
			transaction(db.sql, async (tx) => {
				await tx`insert into audit_log (actor, action, entity, entity_id) values ('test', 'test', 'test', 'x')`;
				return appendEvents(tx, [{ type: 'facility.updated', region, actor: 'test', payload: { facility: 'nul\u0000', kind: 'village_clinic', doctors: 1, licensed_doctors: 0, standard_met: false } }], { commit: true });
			})
		).rejects.toThrow();
		expect(await head()).toBe(start);
		expect((await db.sql`select count(*)::int as n from audit_log`)[0].n).toBe(before);
		// the connection is back in the pool, outside any transaction, and the next append takes the next seq
		const [stored] = await transaction(db.sql, (tx) => appendEvents(tx, [{ type: 'facility.updated', region, actor: 'test', payload: { facility: 'c1', kind: 'village_clinic', doctors: 1, licensed_doctors: 0, standard_met: false } }], { commit: true }));
		expect(stored.seq).toBe(start + 1);
		// committed when it resolves: another connection reads it
		expect((await db.sql`select seq from event where seq = ${stored.seq}`).length).toBe(1);
		const [{ open }] = await db.sql`select count(*)::int as open from pg_stat_activity where state like 'idle in transaction%' and datname = current_database()`;
		expect(open).toBe(0);
	});

	it('keeps the log append-only', async () => {
		await expect(db.sql`update event set actor = 'x' where seq = 1`).rejects.toThrow(/append-only/);
	});
});
