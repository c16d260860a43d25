import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { freshDatabase, serverUrl, type TestDatabase } from '../helpers/db';
import { closeDatabase, database, openDatabase, sql } from '../../src/lib/server/db';
import { requestWork, runAsRequest } from '../../src/lib/server/db/request-context';

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

describe('queries stopped with their request', () => {
	let db: TestDatabase | undefined;
	let dataDir: string | undefined;
	beforeAll(async () => {
		if (serverUrl) {
			db = await freshDatabase({ migrated: false });
			await openDatabase({ databaseUrl: db.url, dataDir: '' });
		} else {
			// the embedded database, in the process of its own the server runs it in
			dataDir = mkdtempSync(join(tmpdir(), 'hcc-stop-'));
			await openDatabase({ dataDir });
		}
	});
	afterAll(async () => {
		await closeDatabase();
		await db?.close();
		if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	});

	it('refuses a query made after its request stopped, and leaves other requests alone', async () => {
		const work = requestWork();
		const other = requestWork();
		work.stop('disconnected');
		await expect(runAsRequest(work, () => sql`select 1 as one`)).rejects.toMatchObject({ code: '57014' });
		expect(await runAsRequest(other, () => sql`select 1 as one`)).toEqual([{ one: 1 }]);
		expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
	});

	it.runIf(serverUrl)('cancels a running statement when its request stops: PostgreSQL runs it no more', async () => {
		const work = requestWork();
		const started = Date.now();
		const running = runAsRequest(work, () => sql`select pg_sleep(30), 'flood-stop-probe' as tag`);
		running.catch(() => {});
		const watcher = postgres(db!.url, { max: 1, onnotice: () => {} });
		const active = async () =>
			(await watcher`select count(*)::int as n from pg_stat_activity where query like '%flood-stop-probe%' and pid <> pg_backend_pid() and state = 'active'`)[0].n as number;
		for (let i = 0; i < 50 && (await active()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
		expect(await active()).toBe(1);
		work.stop('timeout');
		await expect(running).rejects.toMatchObject({ code: '57014' });
		expect(Date.now() - started).toBeLessThan(5000);
		expect(await active()).toBe(0);
		await watcher.end();
	});

	it.runIf(!serverUrl)('runs the embedded database in a process of its own, which ends with the server', async () => {
		const pid = database().embedded!.pid!;
		expect(pid).not.toBe(process.pid);
		expect(alive(pid)).toBe(true);
		await closeDatabase();
		expect(alive(pid)).toBe(false);
		// a new process opens the same data directory again
		await openDatabase({ dataDir: dataDir! });
		expect(database().embedded!.pid).not.toBe(pid);
		expect(await sql`select 2 as two`).toEqual([{ two: 2 }]);
	});
});
