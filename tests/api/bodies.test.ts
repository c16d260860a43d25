import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { baseUrl } from '../helpers/api';

// a login body of 2 MB: twice what any JSON endpoint reads
const huge = JSON.stringify({ username: 'a'.repeat(2 * 1024 * 1024), password: 'x' });

const login = (body: BodyInit, type = 'application/json', address = '10.99.0.1', extra: RequestInit = {}) =>
	fetch(`${baseUrl()}/api/auth/login`, { method: 'POST', headers: { 'content-type': type, 'x-forwarded-for': address }, body, ...extra } as RequestInit);

describe('request bodies', () => {
	it('refuses a JSON body over 1 MB with 413 before reading it', async () => {
		const res = await login(huge);
		expect(res.status).toBe(413);
		expect((await res.json()).error.code).toBe('payload_too_large');
	});

	it('cuts off a body sent in chunks without a length where it passes 1 MB', async () => {
		// its own connection (agent: false), which the server closes after answering
		const status = await new Promise<number | Error>((resolve) => {
			const url = new URL('/api/auth/login', baseUrl());
			const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.99.0.2' } }, (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', resolve);
			const bytes = Buffer.from(huge);
			for (let at = 0; at < bytes.length; at += 64 * 1024) req.write(bytes.subarray(at, at + 64 * 1024));
			req.end();
		});
		// the server answers 413 and closes the connection: a client still sending may see only the close
		if (status instanceof Error) expect((status as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|EPIPE/);
		else expect(status).toBe(413);
	});

	it('takes only application/json as JSON, whatever its parameters or case', async () => {
		for (const type of ['application/jsonx', 'text/json', 'application/json-patch+json', '']) {
			expect((await login('{"username":"x","password":"y"}', type)).status, type).toBe(415);
		}
		const res = await login('{"username":"nobody-here","password":"wrong password"}', 'Application/JSON; charset=utf-8', '10.99.0.3');
		expect(res.status).toBe(401);
	});

	it('answers 400 for a body that is not UTF-8', async () => {
		const res = await login(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'application/json', '10.99.0.4');
		expect(res.status).toBe(400);
		expect((await res.json()).error.code).toBe('invalid_json');
	});
});
