import type { IncomingMessage, ServerResponse } from 'node:http';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type Next = () => void;

/**
 * At most `limit` API writes (POST, PUT, PATCH, DELETE under /api/) are handed to the app at
 * once; the others wait their turn in arrival order. A waiting request holds only its socket and
 * Node's parsed headers, its body unread, not the app's request objects and the queries queued
 * behind the database pool: under a burst the server then holds a bounded amount of work in
 * memory instead of everything the clients have sent. A request whose client went away while
 * waiting is dropped. Reads and pages pass at once.
 */
export function writeGate(limit: number): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
	let active = 0;
	const waiting: { req: IncomingMessage; res: ServerResponse; next: Next }[] = [];

	const start = (res: ServerResponse, next: Next) => {
		active++;
		// 'close' comes once the response is sent or the connection is gone, whichever is first
		res.once('close', () => {
			active--;
			admit();
		});
		next();
	};

	const admit = () => {
		while (active < limit && waiting.length) {
			const { req, res, next } = waiting.shift()!;
			if (!req.socket.destroyed && !res.writableEnded) start(res, next);
		}
	};

	return (req, res, next) => {
		if (READS.has(req.method ?? 'GET') || !req.url?.startsWith('/api/')) return next();
		if (active < limit) return start(res, next);
		waiting.push({ req, res, next });
	};
}
