import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';

describe('several connections at once', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase();
		await db.sql`create table counter (id int primary key, n int not null)`;
		await db.sql`insert into counter values (1, 0)`;
	});
	afterAll(() => db.close());

	it('runs interleaved prepared queries from every connection without mixing them up', async () => {
		const results = await Promise.all(Array.from({ length: 200 }, (_, i) => db.sql`select ${i}::int as i, ${'x'.repeat(i % 17)} as s`));
		results.forEach(([row], i) => expect(row).toEqual({ i, s: 'x'.repeat(i % 17) }));
	});

	it('loses no update among concurrent read-modify-write transactions', async () => {
		await Promise.all(
			Array.from({ length: 100 }, () =>
				db.sql.begin(async (tx) => {
					const [{ n }] = await tx`select n from counter where id = 1 for update`;
					await tx`update counter set n = ${n + 1} where id = 1`;
				})
			)
		);
		const [{ n }] = await db.sql`select n from counter where id = 1`;
		expect(n).toBe(100);
	});

	it('rolls back a failed transaction without disturbing the others', async () => {
		const outcomes = await Promise.allSettled(
			Array.from({ length: 20 }, (_, i) =>
				db.sql.begin(async (tx) => {
					await tx`update counter set n = n + 1 where id = 1`;
					if (i % 2) await tx`select 1 / 0`;
				})
			)
		);
		expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(10);
		const [{ n }] = await db.sql`select n from counter where id = 1`;
		expect(n).toBe(110);
	});
});
