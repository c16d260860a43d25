// The embedded database's own process, forked by the server (`forkEmbedded` in ./embedded):
// `node embedded-db.js <dataDir> <port>`. Serves PGlite on the port, says so over IPC, and
// stops when the server says 'stop' or when the server is gone (its IPC channel closes, kill -9
// included). Signals sent to the whole process group (Ctrl-C) are left to the server, which
// stops this process once its own requests are done.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbedded, type EmbeddedDatabase } from './embedded';

/** The data directory's current owner: a process that serves it, until it has closed it. */
const OWNER_FILE = 'embedded-owner.pid';
/** How long a new process waits for the previous one to let go of the data directory. */
const WAIT_MS = 30_000;

const [dataDir, portText] = process.argv.slice(2);
const ownerFile = join(dataDir, OWNER_FILE);

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** A server killed with -9 leaves its database process closing the data directory: wait for it. */
async function previousGone(): Promise<void> {
	const until = Date.now() + WAIT_MS;
	while (existsSync(ownerFile) && Date.now() < until) {
		const pid = Number(readFileSync(ownerFile, 'utf8'));
		if (!Number.isInteger(pid) || pid === process.pid || !alive(pid)) return;
		await new Promise((r) => setTimeout(r, 100));
	}
	if (existsSync(ownerFile) && Date.now() >= until) console.error(`embedded database: process ${readFileSync(ownerFile, 'utf8')} still holds ${dataDir}; opening it anyway`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});

let db: EmbeddedDatabase | undefined;
let stopping = false;
async function stop(): Promise<void> {
	if (stopping) return;
	stopping = true;
	try {
		await db?.stop();
	} finally {
		rmSync(ownerFile, { force: true });
		process.exit(0);
	}
}
process.on('message', (message) => message === 'stop' && void stop());
process.on('disconnect', () => void stop());

try {
	await previousGone();
	db = await startEmbedded(dataDir, Number(portText) || 0);
	writeFileSync(ownerFile, String(process.pid));
	if (!process.connected) await stop();
	else process.send!({ ready: true, url: db.url, port: db.port });
} catch (error) {
	if (process.connected) process.send!({ error: (error as Error).message });
	process.exit(1);
}
