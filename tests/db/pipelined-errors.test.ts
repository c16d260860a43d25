// A statement that fails among pipelined ones (the group commit sends a batch's writes that way,
// and the driver pipelines any queries issued together) is answered with its error, and every
// other query with its own answer: on a server and on the embedded database alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';

const outcome = (result: PromiseSettledResult<unknown>) =>
	result.status === 'fulfilled' ? result.value : { error: (result.reason as { code?: string }).code };

describe('pipelined statements with one failing', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase({ migrated: false });
	});
	afterAll(() => db.close());

	it('in a transaction: the failing one gets its error and the later ones the aborted transaction', async () => {
		for (const failing of ['select 1 / 0', "select 'x'::int"]) {
			let settled: PromiseSettledResult<unknown>[] = [];
			await db.sql
				.begin(async (tx) => {
					settled = await Promise.allSettled([
						tx`select 1 as a`.execute(),
						tx.unsafe(failing).execute(),
						tx`select 3 as c`.execute(),
						tx`select 4 as d`.execute()
					]);
					throw new Error('done');
				})
				.catch(() => {});
			const code = failing.includes('/') ? '22012' : '22P02';
			expect(settled.map(outcome)).toEqual([[{ a: 1 }], { error: code }, { error: '25P02' }, { error: '25P02' }]);
		}
	});

	it('outside a transaction: only the failing one fails', async () => {
		const settled = await Promise.allSettled([
			db.sql`select 1 / 0 as x`,
			db.sql`select 5 as v`,
			db.sql`select ${'a'}::int as i`,
			db.sql`select 6 as u`,
			db.sql`select ${'nul\u0000'}::text as n`,
			db.sql`select 7 as s`
		]);
		expect(settled.map(outcome)).toEqual([{ error: '22012' }, [{ v: 5 }], { error: '22P02' }, [{ u: 6 }], { error: '22021' }, [{ s: 7 }]]);
		expect([...(await db.sql`select 8 as w`)]).toEqual([{ w: 8 }]);
	});
});
