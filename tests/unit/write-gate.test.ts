import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeGate } from '../../src/lib/server/http/write-gate';

// A real HTTP server whose app answers a write only when the test lets it: the gate decides what reaches it.
function serve(limit: number) {
	const gate = writeGate(limit);
	const inApp: string[] = [];
	const release = new Map<string, () => void>();
	const server = createServer((req, res) =>
		gate(req, res, () => {
			const name = new URL(req.url!, 'http://x').searchParams.get('n')!;
			inApp.push(name);
			if (req.method === 'GET') return res.end(name);
			release.set(name, () => res.end(name));
		})
	);
	return new Promise<{ server: Server; port: number; inApp: string[]; release: Map<string, () => void> }>((resolve) =>
		server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, inApp, release }))
	);
}

function send(port: number, method: string, path: string) {
	const req = request({ host: '127.0.0.1', port, method, path, agent: false });
	const answered = new Promise<string>((resolve, reject) => {
		req.on('response', (res) => {
			let body = '';
			res.on('data', (chunk) => (body += chunk));
			res.on('end', () => resolve(body));
		});
		req.on('error', reject);
	});
	// requests the test leaves hanging end with the server: not an error of the test
	answered.catch(() => {});
	req.end(method === 'GET' ? undefined : '{}');
	return { req, answered };
}

const until = async (check: () => boolean) => {
	for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
	expect(check()).toBe(true);
};
const settle = () => new Promise((r) => setTimeout(r, 100));

let open: Server | null = null;
afterEach(() => {
	open?.closeAllConnections();
	open?.close();
	open = null;
});

describe('write gate', () => {
	it('hands the app at most `limit` API writes at once, the rest in arrival order as earlier ones finish', async () => {
		const s = await serve(2);
		open = s.server;
		const posts = ['a', 'b', 'c', 'd'].map((n) => send(s.port, 'POST', `/api/events?n=${n}`));
		await until(() => s.inApp.length === 2);
		await settle();
		expect(s.inApp).toEqual(['a', 'b']);

		s.release.get('b')!();
		await until(() => s.inApp.length === 3);
		s.release.get('a')!();
		await until(() => s.inApp.length === 4);
		expect(s.inApp).toEqual(['a', 'b', 'c', 'd']);
		s.release.get('c')!();
		s.release.get('d')!();
		expect(await Promise.all(posts.map((p) => p.answered))).toEqual(['a', 'b', 'c', 'd']);
	});

	it('lets reads, pages and writes outside the API pass while the writes wait', async () => {
		const s = await serve(1);
		open = s.server;
		send(s.port, 'POST', '/api/events?n=held');
		await until(() => s.inApp.length === 1);
		send(s.port, 'PATCH', '/api/users/1?n=waits');
		expect(await send(s.port, 'GET', '/api/regions/370000?n=read').answered).toBe('read');
		expect(await send(s.port, 'GET', '/wall?n=page').answered).toBe('page');
		const form = send(s.port, 'POST', '/login?n=form');
		await until(() => s.inApp.includes('form'));
		s.release.get('form')!();
		expect(await form.answered).toBe('form');
		expect(s.inApp).not.toContain('waits');
	});

	it('drops a waiting write whose client went away, and frees the slot of one cut while in the app', async () => {
		const s = await serve(1);
		open = s.server;
		const first = send(s.port, 'POST', '/api/events?n=first');
		await until(() => s.inApp.length === 1);
		const gone = send(s.port, 'POST', '/api/events?n=gone');
		const last = send(s.port, 'POST', '/api/events?n=last');
		await settle();
		gone.req.destroy();
		await settle();
		// the client in the app hangs up: its slot goes to the next one still there
		first.req.destroy();
		await until(() => s.inApp.length === 2);
		expect(s.inApp).toEqual(['first', 'last']);
		s.release.get('last')!();
		expect(await last.answered).toBe('last');
	});
});
