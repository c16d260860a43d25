import { fork } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { ConnectionQueue } from './connection-queue';
import { TIME_ZONE } from '../../days';

export interface EmbeddedDatabase {
	url: string;
	port: number;
	/** the process it runs in, when not this one */
	pid?: number;
	stop(): Promise<void>;
}

/**
 * Starts PGlite with PostGIS on `dataDir` and serves it on a loopback port, so the app talks
 * to it with the same `postgres` driver and the same SQL as to a PostgreSQL server.
 */
export async function startEmbedded(dataDir: string, port = 0): Promise<EmbeddedDatabase> {
	mkdirSync(dataDir, { recursive: true });
	const db = await PGlite.create({ dataDir, extensions: { postgis } });
	// PGlite ignores a client's TimeZone startup parameter; its one session serves every client
	await db.exec(`set time zone '${TIME_ZONE}'`);
	const queue = new ConnectionQueue(db);
	const handlers = new Set<PGLiteSocketHandler>();

	const server: Server = createServer((socket) => {
		const handler = new PGLiteSocketHandler({
			// the handler only calls enqueue/clearQueueForHandler/clearTransactionIfNeeded
			queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'],
			closeOnDetach: true
		});
		handlers.add(handler);
		handler.addEventListener('close', () => handlers.delete(handler));
		handler.addEventListener('error', () => handlers.delete(handler));
		void handler.attach(socket);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	const address = server.address();
	if (!address || typeof address !== 'object') throw new Error('embedded database did not bind');

	return {
		url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
		port: address.port,
		async stop() {
			for (const handler of handlers) await handler.detach(true);
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await db.close();
		}
	};
}

/** The entry of the database's own process: built next to the server (build/embedded-db.js), or the source under tsx. */
function processEntry(): { entry: string; execArgv: string[] } {
	const here = fileURLToPath(import.meta.url);
	const candidates = [
		{ entry: join(dirname(here), 'embedded-db.js'), execArgv: [] },
		{ entry: join(dirname(here), 'embedded-process.ts'), execArgv: ['--import', 'tsx'] },
		{ entry: resolve('build/embedded-db.js'), execArgv: [] },
		{ entry: resolve('src/lib/server/db/embedded-process.ts'), execArgv: ['--import', 'tsx'] }
	];
	const found = candidates.find((c) => existsSync(c.entry));
	if (!found) throw new Error('embedded database: neither build/embedded-db.js nor its source found');
	return found;
}

/** How long a stopping database process may take before it is killed. */
const STOP_MS = 15_000;

/**
 * Starts the embedded database in a child process (embedded-process.ts) and resolves once it
 * serves on its port. PGlite runs single-threaded: in a process of its own its queries leave
 * this one's event loop free, and its WASM heap, which never shrinks, stays out of this
 * process's memory. The child ends when told to (`stop`) or when this process goes, even by
 * kill -9 (its IPC channel closes); a new one waits for it to have let go of the data directory.
 */
export async function forkEmbedded(dataDir: string, port = 0): Promise<EmbeddedDatabase> {
	const { entry, execArgv } = processEntry();
	// its own flags: not this process's (a profiler or probe preloaded here)
	const child = fork(entry, [dataDir, String(port)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const exited = new Promise<void>((done) => child.once('exit', () => done()));
	const ready = await new Promise<{ url: string; port: number }>((resolveReady, reject) => {
		child.once('message', (message: { ready?: boolean; url: string; port: number; error?: string }) =>
			message.ready ? resolveReady(message) : reject(new Error(message.error ?? 'embedded database failed to start'))
		);
		child.once('exit', (code, signal) => reject(new Error(`embedded database exited (${code ?? signal}) before it was ready`)));
		child.once('error', reject);
	});
	let stopping = false;
	child.once('exit', (code, signal) => {
		if (!stopping) console.error(`embedded database process ended (${code ?? signal}); queries answer 503 until the server is restarted`);
	});
	return {
		...ready,
		pid: child.pid,
		async stop() {
			if (stopping) return exited;
			stopping = true;
			if (child.connected) child.send('stop');
			const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
			await exited;
			clearTimeout(timer);
		}
	};
}
