import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { startAppServer, type AppServer } from '../setup/app-server';
import { clusterAvailable, startCluster, type Cluster } from './cluster';
import { login, loops, postEvent, request, sleep, type Answer } from './client';

describe.skipIf(!clusterAvailable())('a PostgreSQL restart under load', () => {
	let cluster: Cluster;
	let server: AppServer;
	let db: postgres.Sql;
	beforeAll(async () => {
		cluster = await startCluster();
		const admin = postgres(cluster.url('postgres'), { max: 1, onnotice: () => {} });
		await admin`create database hcc_restart`;
		await admin.end();
		server = await startAppServer({ seed: 'demo', databaseUrl: cluster.url('hcc_restart') });
	});
	afterAll(async () => {
		await db?.end({ timeout: 1 });
		await server?.stop();
		cluster?.destroy();
	});

	it('answers 503 while the database is away, recovers by itself, and loses no acknowledged write', async () => {
		const dispatcher = await login(server.baseUrl, 'dispatcher');
		const leader = await login(server.baseUrl, 'leader');
		db = postgres(cluster.url('hcc_restart'), { max: 1, onnotice: () => {} });
		const clinics = (await db`select id from facility where kind = 'village_clinic' and county_code like '37%' order by id limit 100`).map((r) => r.id as string);
		await db.end();

		const answers: (Answer & { at: number; what: string })[] = [];
		const acknowledged = new Map<string, number>();
		const started = performance.now();
		const load = loops(4, async (loop, i) => {
			const key = `restart-${loop}-${i}`;
			const write = await postEvent(server.baseUrl, dispatcher, clinics[(loop * 17 + i) % clinics.length], i % 3, key);
			answers.push({ ...write, at: performance.now() - started, what: 'POST /api/events' });
			if (write.status === 201) acknowledged.set(key, write.body.seq);
			const read = await request(server.baseUrl, '/api/regions/370000', { headers: { cookie: leader } });
			answers.push({ ...read, at: performance.now() - started, what: 'GET /api/regions/370000' });
			const health = await request(server.baseUrl, '/api/health');
			answers.push({ ...health, at: performance.now() - started, what: 'GET /api/health' });
			if (write.status !== 201) await sleep(100);
		});
		await sleep(2000);
		const restartedAt = performance.now() - started;
		await cluster.restart(4000);
		const upAt = performance.now() - started;
		// recovered by itself: writes succeed again within 15 s of the database coming back
		let recoveredAt: number | null = null;
		while (performance.now() - started < upAt + 15_000) {
			const last = answers.filter((a) => a.what === 'POST /api/events' && a.at > upAt);
			if (last.length >= 5 && last.slice(-5).every((a) => a.status === 201)) {
				recoveredAt = last[last.length - 5].at;
				break;
			}
			await sleep(200);
		}
		await load.stop();

		expect(server.child.exitCode, 'the server must not crash').toBeNull();
		expect(recoveredAt, 'writes succeed again after the restart').not.toBeNull();
		const during = answers.filter((a) => a.at > restartedAt && a.at < upAt);
		// while the database is away the API says so: 503, never a 500, never silence
		expect(during.filter((a) => a.status === 503).length).toBeGreaterThan(0);
		const statuses = new Set(answers.map((a) => a.status));
		expect([...statuses].filter((s) => s !== 200 && s !== 201 && s !== 503), JSON.stringify(answers.filter((a) => ![200, 201, 503].includes(a.status)).slice(0, 3))).toEqual([]);
		// not a hang: each answer within 10 s
		const slow = answers.filter((a) => a.ms >= 10_000).map(({ what, status, at, ms }) => ({ what, status, at: Math.round(at), ms: Math.round(ms) }));
		expect(slow, `restart ${Math.round(restartedAt)}–${Math.round(upAt)} ms`).toEqual([]);
		// a monitor's check answers within its own bound (3 s), whatever the pool is waiting for
		const slowChecks = answers.filter((a) => a.what === 'GET /api/health' && a.ms >= 5_000).map(({ status, at, ms }) => ({ status, at: Math.round(at), ms: Math.round(ms) }));
		expect(slowChecks).toEqual([]);

		db = postgres(cluster.url('hcc_restart'), { max: 1, onnotice: () => {} });
		const stored = await db`select seq, idempotency_key from event where idempotency_key like 'dispatcher:restart-%'`;
		const byKey = new Map(stored.map((r) => [String(r.idempotency_key).slice('dispatcher:'.length), Number(r.seq)]));
		for (const [key, seq] of acknowledged) expect(byKey.get(key), key).toBe(seq);
		const [{ n, top }] = await db`select count(*)::int as n, max(seq)::int as top from event`;
		expect(n).toBe(top);
	});
});
