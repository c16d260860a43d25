import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { ensureBuilt } from '../../scripts/ensure-built.js';

export interface AppServer {
	baseUrl: string;
	dbUrl: string;
	stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
		});
	});
}

async function waitHealthy(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`app server exited with ${child.exitCode}`);
		try {
			const res = await fetch(`${baseUrl}/api/health`);
			if (res.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error('app server did not become healthy in time');
}

/**
 * Starts the production server (the real build, the real socket.io) on a fresh database of
 * the kind under test, loaded with `seed` data.
 */
export async function startAppServer({ seed = 'demo', env = {} }: { seed?: string; env?: Record<string, string> } = {}): Promise<AppServer> {
	ensureBuilt();
	const port = await freePort();
	const serverUrl = process.env.DATABASE_URL;
	const dataDir = mkdtempSync(join(tmpdir(), 'hcc-app-'));
	let dbUrl: string;
	let dropDatabase = async () => {};
	const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), PORT: String(port), HOST: '127.0.0.1', SEED: seed, DATA_DIR: dataDir, ...env };
	if (serverUrl) {
		const name = `hcc_app_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
		const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
		await admin.unsafe(`create database ${name}`);
		const url = new URL(serverUrl);
		url.pathname = `/${name}`;
		dbUrl = url.toString();
		childEnv.DATABASE_URL = dbUrl;
		dropDatabase = async () => {
			await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end();
		};
	} else {
		const dbPort = await freePort();
		delete childEnv.DATABASE_URL;
		childEnv.EMBEDDED_DB_PORT = String(dbPort);
		dbUrl = `postgres://postgres@127.0.0.1:${dbPort}/postgres`;
	}
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', '--no-simulate'], { env: childEnv, stdio: ['ignore', 'inherit', 'inherit'] });
	const baseUrl = `http://127.0.0.1:${port}`;
	await waitHealthy(baseUrl, child, 180_000);
	return {
		baseUrl,
		dbUrl,
		async stop() {
			if (child.exitCode === null) {
				const exited = new Promise((r) => child.once('exit', r));
				child.kill('SIGTERM');
				await exited;
			}
			await dropDatabase();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}
