import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { startEmbedded } from '../../src/lib/server/db/embedded';
import { migrate } from '../../src/lib/server/db/migrate';
import { serverUrl } from '../helpers/db';
import { freePort } from '../setup/app-server';
import type { Sql } from '../../src/lib/server/db';

/** A database with a demo account in it but no demo data. */
async function strayDemoAccount(sql: Sql) {
	await migrate(sql);
	await sql`insert into region (code, name, level, province_code, geom)
		values ('370000', '山东省', 'province', '370000', 'SRID=4326;MULTIPOLYGON(((115 35,116 35,116 36,115 35)))')`;
	await sql`insert into app_user (username, password_hash, role, scope_region, demo) values ('admin', 'x', 'admin', '370000', true)`;
}

function startServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
	return new Promise(async (resolve) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
			env: { ...process.env, PORT: String(await freePort()), HOST: '127.0.0.1', SEED: 'none', ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
		child.on('exit', (code) => {
			clearTimeout(timer);
			resolve({ code, output });
		});
	});
}

describe('a database with demo accounts but no demo data', () => {
	it('is refused at start', async () => {
		let env: Record<string, string>;
		let cleanup: () => Promise<void>;
		if (serverUrl) {
			const name = `hcc_guard_${process.pid}`;
			const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
			await admin.unsafe(`drop database if exists ${name}`);
			await admin.unsafe(`create database ${name}`);
			const url = new URL(serverUrl);
			url.pathname = `/${name}`;
			const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
			await strayDemoAccount(sql as unknown as Sql);
			await sql.end();
			env = { DATABASE_URL: url.toString() };
			cleanup = async () => {
				await admin.unsafe(`drop database if exists ${name} with (force)`);
				await admin.end();
			};
		} else {
			const dir = mkdtempSync(join(tmpdir(), 'hcc-guard-'));
			const embedded = await startEmbedded(dir);
			const sql = postgres(embedded.url, { max: 1, onnotice: () => {} });
			await strayDemoAccount(sql as unknown as Sql);
			await sql.end();
			await embedded.stop();
			env = { DATA_DIR: dir, DATABASE_URL: '' };
			cleanup = async () => rmSync(dir, { recursive: true, force: true });
		}
		try {
			const { code, output } = await startServer(env);
			expect(code).not.toBe(0);
			expect(output).toContain('demo accounts');
			expect(output).not.toContain('listening');
		} finally {
			await cleanup();
		}
	});
});
