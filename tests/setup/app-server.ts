import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { ensureBuilt } from '../../scripts/ensure-built.js';

export interface AppServer {
	baseUrl: string;
	dbUrl: string;
	/** the running server process (replaced by `restart`) */
	child: ChildProcess;
	/** sends `signal` (SIGKILL for a crash) and resolves once the process has exited */
	kill(signal?: NodeJS.Signals): Promise<void>;
	/** starts the server again on the same port and database; resolves once it is healthy */
	restart(): Promise<void>;
	stop(): Promise<void>;
}

export interface AppServerOptions {
	seed?: string;
	env?: Record<string, string>;
	/** serve this existing database (kept afterwards) instead of a fresh one */
	databaseUrl?: string;
	/** another node on this server's database (it neither creates nor drops one) */
	sharing?: AppServer;
	/** node flags before the entry, e.g. `['--import', './probe.ts']` */
	nodeArgs?: string[];
	/** open an IPC channel to the server process (`child.send`, `child.on('message')`) */
	ipc?: boolean;
	/** append the server's own output to this file instead of the console */
	logFile?: string;
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
		if (child.exitCode !== null || child.signalCode !== null) throw new Error(`app server exited with ${child.exitCode ?? child.signalCode}`);
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

const exited = (child: ChildProcess) =>
	child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));

/**
 * Starts the production server (the real build, the real socket.io) on a fresh database of
 * the kind under test, loaded with `seed` data, or on `databaseUrl` as it is.
 */
export async function startAppServer(options: AppServerOptions = {}): Promise<AppServer> {
	const { seed = 'demo', env = {}, nodeArgs = [] } = options;
	ensureBuilt();
	const port = await freePort();
	const serverUrl = process.env.DATABASE_URL;
	const dataDir = mkdtempSync(join(tmpdir(), 'hcc-app-'));
	let dbUrl: string;
	let dropDatabase = async () => {};
	const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), PORT: String(port), HOST: '127.0.0.1', SEED: seed, DATA_DIR: dataDir, ...env };
	if (options.databaseUrl || options.sharing) {
		dbUrl = options.databaseUrl ?? options.sharing!.dbUrl;
		childEnv.DATABASE_URL = dbUrl;
	} else if (serverUrl) {
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
	const launch = () => {
		const out = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
		return spawn(process.execPath, [...nodeArgs, 'build/server.js', '--no-simulate'], {
			env: childEnv,
			stdio: ['ignore', out, out, ...(options.ipc ? (['ipc'] as const) : [])]
		});
	};
	const baseUrl = `http://127.0.0.1:${port}`;
	const server: AppServer = {
		baseUrl,
		dbUrl,
		child: launch(),
		async kill(signal = 'SIGTERM') {
			const child = server.child;
			const done = exited(child);
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			await done;
		},
		async restart() {
			await server.kill();
			server.child = launch();
			await waitHealthy(baseUrl, server.child, 180_000);
		},
		async stop() {
			await server.kill('SIGTERM');
			await dropDatabase();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
	try {
		await waitHealthy(baseUrl, server.child, 180_000);
	} catch (error) {
		await server.stop();
		throw error;
	}
	return server;
}
