import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { LiveEvent } from '../../src/lib/types/events';
import { startAppServer, type AppServer } from '../setup/app-server';
import { login, loops, postEvent, receivedUpTo, sleep, subscriber } from './client';

describe('kill -9 of the server under write load', () => {
	let server: AppServer;
	let db: postgres.Sql;
	beforeAll(async () => {
		server = await startAppServer({ seed: 'demo' });
		db = postgres(server.dbUrl, { max: 2, onnotice: () => {}, types: { bigint: { to: 20, from: [20], serialize: String, parse: Number } } as never });
	});
	afterAll(async () => {
		await db?.end();
		await server?.stop();
	});

	it('keeps every acknowledged write, leaves no hole in seq, and a subscriber replays gaplessly after the restart', async () => {
		const dispatcher = await login(server.baseUrl, 'dispatcher');
		const leader = await login(server.baseUrl, 'leader');
		const clinics = (await db`select id from facility where kind = 'village_clinic' and county_code like '37%' order by id limit 200`).map((r) => r.id as string);
		const [{ head }] = await db`select coalesce(max(seq), 0)::int as head from event`;
		const received: LiveEvent[] = [];
		const socket = await subscriber(server.baseUrl, leader, '370000', head, received);

		const acknowledged = new Map<string, number>(); // idempotency key → seq
		const writers = loops(6, async (loop, i) => {
			const key = `crash-${loop}-${i}`;
			const answer = await postEvent(server.baseUrl, dispatcher, clinics[(loop * 31 + i) % clinics.length], i % 3, key);
			if (answer.status === 201) acknowledged.set(key, answer.body.seq);
			else if (answer.status !== 0) throw new Error(`unexpected ${answer.status}: ${JSON.stringify(answer.body)}`);
			else await sleep(50); // the server is gone: retry later, as a field client would
		});
		await sleep(2500);
		const beforeKill = acknowledged.size;
		await server.kill('SIGKILL');
		await sleep(500);
		await writers.stop();
		expect(beforeKill).toBeGreaterThan(20);
		socket.close();

		await server.restart();
		// every acknowledged write is there, under its key, with the seq the client was told
		const stored = await db`select seq, idempotency_key from event where idempotency_key like 'dispatcher:crash-%'`;
		const byKey = new Map(stored.map((r) => [String(r.idempotency_key).slice('dispatcher:'.length), Number(r.seq)]));
		for (const [key, seq] of acknowledged) expect(byKey.get(key), key).toBe(seq);
		// no hole: the log holds every seq from 1 to its end
		const [{ n, top }] = await db`select count(*)::int as n, max(seq)::int as top from event`;
		expect(n).toBe(top);

		// the subscriber comes back with the last seq it saw and gets the rest, in order, once each
		const seen = received.map((e) => e.seq);
		const last = seen.length ? seen[seen.length - 1] : head;
		const after: LiveEvent[] = [];
		const again = await subscriber(server.baseUrl, await login(server.baseUrl, 'leader'), '370000', last, after);
		await receivedUpTo(after, top);
		const all = [...seen, ...after.map((e) => e.seq)];
		again.close();
		expect(all).toEqual(Array.from({ length: top - head }, (_, i) => head + 1 + i));
		for (const seq of acknowledged.values()) expect(all).toContain(seq);
	});
});
