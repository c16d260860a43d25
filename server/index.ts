import { createServer } from 'node:http';
import { boot } from '../src/lib/server/boot';
import { closeDatabase } from '../src/lib/server/db';
import { attachSocket } from '../src/lib/server/events/socket/server';
import { startBackground } from '../src/lib/server/background';
import { writeGate } from '../src/lib/server/http/write-gate';
import { configureReads } from '../src/lib/server/http/read-gate';
import { requestWork, runAsRequest } from '../src/lib/server/db/request-context';
import { ALWAYS } from '../src/lib/server/http/security-headers';

// Production entry: adapter-node's handler and socket.io on one HTTP server and one port.
const started = Date.now();
const { config, db } = await boot().catch((error: Error) => {
	console.error(`cannot start: ${error.message}`);
	process.exit(1);
});
// Without ORIGIN or PROTOCOL_HEADER, adapter-node takes every request for https; tell it the
// scheme of the connection itself, so SvelteKit's origin check and the Secure cookie are right.
const ownProtocol = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (ownProtocol) process.env.PROTOCOL_HEADER = 'x-connection-proto';
// adapter-node's one limit for every request body; each route then holds its own, smaller one
// (`readBody` in lib/server/http/body.ts: 1 MB for JSON), and uploads and imports theirs
process.env.BODY_SIZE_LIMIT ??= '256M';
// @ts-expect-error the build output has no type declarations
const { handler } = await import('../build/handler.js');

const READS = new Set(['GET', 'HEAD']);
const gate = writeGate(config.WRITE_CONCURRENCY);
configureReads({ perViewer: config.READ_CONCURRENCY, queue: config.READ_QUEUE, timeoutMs: config.READ_TIMEOUT_MS });
const server = createServer((req, res) => {
	// the app's own answers set them again; this covers the rest (static files, socket.io's polling)
	for (const [name, value] of ALWAYS) res.setHeader(name, value);
	if (ownProtocol) req.headers['x-connection-proto'] = 'encrypted' in req.socket ? 'https' : 'http';
	const app = () =>
		handler(req, res, () => {
			res.statusCode = 404;
			res.end('Not found');
		});
	// a read's database work: a connection closed before its answer was sent stops it (its
	// queries not yet sent are dropped, a running one cancelled; see db/request-context). Not a
	// write's: what a write starts (the publisher's read of the log) outlives its request.
	if (!READS.has(req.method ?? 'GET')) return gate(req, res, app);
	const work = requestWork();
	res.once('close', () => {
		if (!res.writableFinished) work.stop('disconnected');
	});
	runAsRequest(work, app);
});
const io = await attachSocket(server, { redisUrl: config.REDIS_URL, redisPrefix: config.REDIS_PREFIX, maxBacklog: config.SOCKET_MAX_BACKLOG }).catch((error: Error) => {
	console.error(`cannot start: Redis at REDIS_URL: ${error.message}`);
	process.exit(1);
});

const stopBackground = await startBackground(config, { simulated: !process.argv.includes('--no-simulate') });

server.listen(config.PORT, config.HOST, () => {
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.PORT;
	console.log(`listening on http://localhost:${port} (${db} database, ready in ${Date.now() - started} ms)`);
});

let stopping = false;
async function shutdown(signal: string) {
	if (stopping) return;
	stopping = true;
	console.log(`${signal}: shutting down`);
	const force = setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT * 1000);
	force.unref();
	stopBackground();
	io.close();
	await new Promise<void>((resolve) => server.close(() => resolve()));
	await closeDatabase();
	process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
