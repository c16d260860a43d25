import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../helpers/db';
import { migrate } from '../../src/lib/server/db/migrate';

describe('migrations', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await freshDatabase({ migrated: false });
	});
	afterAll(() => db.close());

	it('creates the schema with PostGIS on an empty database', async () => {
		const applied = await migrate(db.sql);
		expect(applied[0]).toBe('0001_postgis.sql');
		const [{ version }] = await db.sql`select postgis_lib_version() as version`;
		expect(version).toMatch(/^3\./);
		const tables = (await db.sql`
			select table_name from information_schema.tables where table_schema = 'public'
		`).map((row) => row.table_name);
		for (const table of ['region', 'facility', 'patient', 'problem', 'team', 'assignment', 'event', 'app_user', 'user_session', 'audit_log', 'indicator_counter']) {
			expect(tables).toContain(table);
		}
	});

	it('applies nothing the second time', async () => {
		expect(await migrate(db.sql)).toEqual([]);
	});

	it('keeps the event log append-only', async () => {
		await db.sql`insert into event (seq, type) values (1, 'test')`;
		await expect(db.sql`update event set type = 'x' where seq = 1`).rejects.toThrow(/append-only/);
		await expect(db.sql`delete from event where seq = 1`).rejects.toThrow(/append-only/);
	});
});
