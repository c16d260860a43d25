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

	it.runIf(serverUrl)('lets a statement already sent finish, and sends none of the request\'s later ones', async () => {
		const work = requestWork();
		const first = runAsRequest(work, () => sql`select pg_sleep(0.6), 'stop-probe-first' as tag`);
		const second = runAsRequest(work, async () => {
			await first;
			return sql`select 'stop-probe-second' as tag`;
		});
		second.catch(() => {});
		const watcher = postgres(db!.url, { max: 1, onnotice: () => {} });
		const seen = async (tag: string) =>
			(await watcher`select count(*)::int as n from pg_stat_activity where query like ${'%' + tag + '%'} and query not like '%pg_stat_activity%'`)[0].n as number;
		for (let i = 0; i < 50 && (await seen('stop-probe-first')) === 0; i++) await new Promise((r) => setTimeout(r, 20));
		work.stop('timeout');
		// the running statement is not cancelled: a cancel request would race the connection's next one
		await expect(first).resolves.toHaveLength(1);
		await expect(second).rejects.toMatchObject({ code: '57014' });
		expect(await seen('stop-probe-second')).toBe(0);
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
