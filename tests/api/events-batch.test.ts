// POST /api/events/batch: many progress events at once, each applied or refused on its own and
// answered in the items' order; the items join the write queue together and commit in few batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDatabase, call, login, type Caller } from '../helpers/api';
import { ACCOUNT_PASSWORD, createAccount } from '../helpers/accounts';

const sql = appDatabase();
const suffix = Math.random().toString(36).slice(2, 7);
// 夏津县, which no other test file writes to
const COUNTY = '371427';
const OFFICER = `officer-batch-${suffix}`;
let officer: Caller;
let patients: string[] = [];
let elsewhere = '';

const batch = (events: unknown, caller: Caller = officer) => call('/api/events/batch', { ...caller, method: 'POST', json: { events } });
const followed = (patient: string, key: string | null, date = '2020-03-02') => ({ type: 'patient.followed_up', payload: { patient, date }, ...(key ? { key } : {}) });

beforeAll(async () => {
	await createAccount(sql, OFFICER, 'county_officer', { region: COUNTY });
	officer = { cookie: await login(OFFICER, ACCOUNT_PASSWORD, '127.0.44.10') };
	patients = (await sql`select id from patient where county_code = ${COUNTY} order by id limit 120`).map((r) => r.id);
	elsewhere = (await sql`select id from patient where county_code = '371425' order by id limit 1`)[0].id;
	expect(patients.length).toBe(120);
});

afterAll(async () => {
	await sql.end();
});

describe('POST /api/events/batch', () => {
	it('answers each item on its own: applied, out of scope, invalid, a repeated key, a reused key', async () => {
		const key = `batch-a-${suffix}`;
		const [before] = await sql`select followed_up_on::text as day from patient where id = ${elsewhere}`;
		const res = await batch([
			followed(patients[0], key),
			followed(elsewhere, `batch-b-${suffix}`),
			{ type: 'patient.followed_up', payload: { date: '2020-03-02' }, idempotency_key: `batch-c-${suffix}` },
			followed(patients[0], key),
			followed(patients[1], key),
			{ type: 'patient.followed_up', payload: { patient: patients[2] }, key: '' },
			followed(patients[3], null)
		]);
		expect(res.status).toBe(200);
		const [applied, outside, invalid, repeated, reused, badKey, unkeyed] = res.body.items;
		expect(applied).toEqual({ seq: expect.any(Number), repeated: false });
		expect(outside).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
		expect(invalid.error.code).toBe('invalid_fields');
		expect(invalid.error.details).toEqual([expect.objectContaining({ field: 'payload.patient' })]);
		expect(repeated).toEqual({ seq: applied.seq, repeated: true });
		expect(reused.error.code).toBe('idempotency_key_reused');
		expect(badKey.error.details).toEqual([expect.objectContaining({ field: 'key' })]);
		expect(unkeyed).toEqual({ seq: expect.any(Number), repeated: false });
		expect(res.body.items).toHaveLength(7);
		// the key may also come as idempotency_key: the same field
		const aliased = await batch([{ type: 'patient.followed_up', payload: { patient: patients[0], date: '2020-03-02' }, idempotency_key: key }]);
		expect(aliased.body.items).toEqual([{ seq: applied.seq, repeated: true }]);
		// nothing of the refused ones was written
		const written = await sql`select payload ->> 'patient' as patient from event where seq >= ${applied.seq} and type = 'patient.followed_up' and payload ->> 'patient' = any(${[elsewhere, ...patients.slice(0, 4)]}::text[]) order by seq`;
		expect(written.map((r) => r.patient)).toEqual([patients[0], patients[3]]);
		expect(await sql`select followed_up_on::text as day from patient where id = ${elsewhere}`).toEqual([before]);

		// sent again as it was: every keyed item is a retry, answered with its first seq
		const again = await batch([followed(patients[0], key), followed(elsewhere, `batch-b-${suffix}`)]);
		expect(again.body.items).toEqual([{ seq: applied.seq, repeated: true }, outside]);
	});

	it('commits many items in few batches, each answered with its seq in order', async () => {
		const items = patients.slice(10, 110).map((patient, i) => followed(patient, `batch-many-${suffix}-${i}`, '2020-04-01'));
		const res = await batch(items);
		expect(res.status).toBe(200);
		const seqs = res.body.items.map((r: { seq: number }) => r.seq);
		expect(seqs.every((seq: number) => Number.isInteger(seq))).toBe(true);
		expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
		// one indicators.changed per batch for the county: far fewer than one per item
		const [{ n }] = await sql`select count(*)::int as n from event where type = 'indicators.changed' and (payload ->> 'cause')::bigint = any(${seqs}::bigint[])`;
		expect(n).toBeGreaterThan(0);
		expect(n).toBeLessThanOrEqual(10);
		const [{ kept }] = await sql`select count(*)::int as kept from patient where id = any(${patients.slice(10, 110)}::text[]) and followed_up_on = '2020-04-01'`;
		expect(kept).toBe(100);
	});

	it('refuses a bad envelope as a whole, writing nothing', async () => {
		const [{ head }] = await sql`select coalesce(max(seq), 0) as head from event where county_code = ${COUNTY}`;
		for (const json of [{}, { events: [] }, { events: 'x' }, [followed(patients[5], null)], null]) {
			const res = await call('/api/events/batch', { ...officer, method: 'POST', json });
			expect([res.status, res.body.error.code]).toEqual([400, 'invalid_batch']);
		}
		const tooMany = await batch(Array.from({ length: 501 }, () => followed(patients[5], null)));
		expect([tooMany.status, tooMany.body.error.code]).toEqual([413, 'batch_too_large']);
		const [{ after }] = await sql`select coalesce(max(seq), 0) as after from event where county_code = ${COUNTY}`;
		expect(after).toBe(head);
	});

	it('is refused to a role that posts no events before anything is read', async () => {
		const leader = { cookie: await login('leader', undefined, '127.0.44.11') };
		const res = await batch([followed(patients[6], null)], leader);
		expect(res.status).toBe(403);
	});
});
