import type { BenchContext, Phase } from '../lib/context';
import { connect } from '../lib/database';
import { now, round } from '../lib/stats';
import type { ProbeReport } from '../lib/server';
import { userViewer, viewerColumns, type ViewerRow } from '../../../src/lib/server/auth/sessions';
import { postEvent, postEvents } from '../../../src/lib/server/events/write/post';
import type { Sql } from '../../../src/lib/server/db';
import { TIME_ZONE } from '../../../src/lib/days';

/** `workers` loops, each doing `one()` back to back for `seconds`: completions a second. */
async function closedLoop(workers: number, seconds: number, one: (worker: number, i: number) => Promise<boolean>) {
	const until = now() + seconds * 1000;
	let done = 0;
	let failed = 0;
	const started = now();
	await Promise.all(
		Array.from({ length: workers }, async (_, w) => {
			for (let i = 0; now() < until; i++) {
				if (await one(w, i)) done++;
				else failed++;
			}
		})
	);
	return { rate: Math.round(done / ((now() - started) / 1000)), done, failed };
}

/** The server's CPU while the events went in: a share of one core, and per event. */
const serverCpu = (probe: ProbeReport, seconds: number, events: number) => ({
	serverCpuPercent: round(probe.cpuPercent, 0),
	serverCpuMsPerEvent: events ? round((probe.cpuPercent / 100) * seconds * 1000 / events, 2) : null
});

/**
 * The ingest ceiling (SPEC §8): events a second through POST /api/events with durable commits,
 * against the same machine's plain single-row INSERT commits at the same concurrency, in the same run.
 */
export const ingest: Phase = {
	name: 'ingest',
	async run(ctx: BenchContext) {
		const seconds = ctx.quick ? 8 : 30;
		const [{ sync }] = await ctx.db`select current_setting('synchronous_commit') as sync`;
		const clinics = (await ctx.db`select id from facility where kind = 'village_clinic' order by id`).map((r) => r.id as string);
		await ctx.db`create table if not exists bench_plain_insert (id bigserial primary key, at timestamptz not null default now(), payload jsonb not null)`;
		const plainAt = new Map<number, number>();
		for (const concurrency of [1, 8, 32]) {
			const plain = connect(ctx.app.dbUrl, concurrency);
			const inserts = await closedLoop(concurrency, seconds, async (w, i) => {
				await plain`insert into bench_plain_insert (payload) values (${plain.json({ worker: w, i, facility: clinics[i % clinics.length] })})`;
				return true;
			});
			await plain.end();
			plainAt.set(concurrency, inserts.rate);
			let n = 0;
			const failures: Record<string, number> = {};
			ctx.app.resetProbe();
			const events = await closedLoop(concurrency, seconds, async () => {
				const facility = clinics[(n++ * 7919) % clinics.length];
				const res = await fetch(`${ctx.app.baseUrl}/api/events`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', cookie: ctx.cookies.dispatcher },
					body: JSON.stringify({ type: 'facility.updated', payload: { facility, doctors: n % 4 } })
				});
				await res.text();
				if (res.status !== 201) failures[res.status] = (failures[res.status] ?? 0) + 1;
				return res.status === 201;
			});
			const ratio = round(events.rate / inserts.rate, 3);
			const cpu = serverCpu(await ctx.app.probe(), seconds, events.done);
			ctx.record({
				group: 'ingest ceiling',
				name: `${concurrency} concurrent: events/s ÷ plain INSERT commits/s`,
				value: round(ratio * 100, 1),
				unit: '%',
				target: '≥ 50%',
				ok: ratio >= 0.5,
				detail: { eventsPerSecond: events.rate, insertsPerSecond: inserts.rate, failures, synchronous_commit: sync, seconds, ...cpu }
			});
			ctx.log(`  ${concurrency} concurrent: ${events.rate} events/s, ${inserts.rate} plain inserts/s, server ${cpu.serverCpuPercent} % CPU, ${cpu.serverCpuMsPerEvent} ms a event`);
		}
		// batch writers: an offline queue or an integration posting many events per request
		for (const [concurrency, size] of [[8, 100]]) {
			const plain = connect(ctx.app.dbUrl, concurrency);
			const inserts = await closedLoop(concurrency, seconds, async (w, i) => {
				await plain`insert into bench_plain_insert (payload) values (${plain.json({ worker: w, i, facility: clinics[i % clinics.length] })})`;
				return true;
			});
			await plain.end();
			let n = 0;
			let applied = 0;
			const failures: Record<string, number> = {};
			const started = now();
			ctx.app.resetProbe();
			await closedLoop(concurrency, seconds, async () => {
				const events = Array.from({ length: size }, () => {
					const facility = clinics[(n++ * 7919) % clinics.length];
					return { type: 'facility.updated', payload: { facility, doctors: n % 4 } };
				});
				const res = await fetch(`${ctx.app.baseUrl}/api/events/batch`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', cookie: ctx.cookies.dispatcher },
					body: JSON.stringify({ events })
				});
				const body = (await res.json()) as { items?: ({ seq: number } | { error: { code: string } })[] };
				if (res.status !== 200) failures[res.status] = (failures[res.status] ?? 0) + 1;
				for (const result of body.items ?? []) {
					if ('seq' in result) applied++;
					else failures[result.error.code] = (failures[result.error.code] ?? 0) + 1;
				}
				return res.status === 200;
			});
			const rate = Math.round(applied / ((now() - started) / 1000));
			const cpu = serverCpu(await ctx.app.probe(), seconds, applied);
			const ratio = round(rate / inserts.rate, 3);
			ctx.record({
				group: 'ingest ceiling',
				name: `${concurrency} batch writers of ${size}: events/s ÷ plain INSERT commits/s`,
				value: round(ratio * 100, 1),
				unit: '%',
				target: '≥ 100%',
				ok: ratio >= 1,
				detail: { eventsPerSecond: rate, insertsPerSecond: inserts.rate, failures, synchronous_commit: sync, seconds, ...cpu }
			});
			ctx.log(`  ${concurrency} batch writers of ${size}: ${rate} events/s, ${inserts.rate} plain inserts/s, server ${cpu.serverCpuPercent} % CPU, ${cpu.serverCpuMsPerEvent} ms a event`);
		}
		await writePathInProcess(ctx, clinics, seconds, plainAt);
		await ctx.db`drop table bench_plain_insert`;
	}
};

/**
 * The same writes through the write path called from this process (`postEvent`, `postEvents`
 * on a pool of its own, as the server's), without HTTP: what the request around a write costs
 * is the difference from the figures above.
 */
async function writePathInProcess(ctx: BenchContext, clinics: string[], seconds: number, plainAt: Map<number, number>) {
	const db = connect(ctx.app.dbUrl, 10, { connection: { TimeZone: TIME_ZONE } }) as unknown as Sql;
	const [row] = await db`
		select ${viewerColumns(db)}
		from app_user u left join region r on r.code = u.scope_region where u.username = 'dispatcher'`;
	const dispatcher = userViewer(row as unknown as ViewerRow, 'bench');
	let n = 0;
	const next = () => {
		const facility = clinics[(n++ * 7919) % clinics.length];
		return { type: 'facility.updated' as const, payload: { facility, doctors: n % 4 } };
	};
	try {
		for (const [writers, size] of [[1, 1], [8, 1], [32, 1], [8, 100]]) {
			let events = 0;
			const started = now();
			await closedLoop(writers, seconds, async () => {
				if (size === 1) await postEvent(dispatcher, next(), null, db);
				else await postEvents(dispatcher, Array.from({ length: size }, () => ({ input: next(), idempotencyKey: null })), db);
				events += size;
				return true;
			});
			const rate = Math.round(events / ((now() - started) / 1000));
			const plain = plainAt.get(writers)!;
			const name = size === 1 ? `${writers} concurrent: events/s, no HTTP` : `${writers} batch writers of ${size}: events/s, no HTTP`;
			ctx.record({ group: 'write path in process', name, value: rate, unit: 'ev/s', detail: { ofPlainInserts: round(rate / plain, 3), insertsPerSecond: plain, seconds } });
			ctx.log(`  in process, ${name}: ${rate} (${round((100 * rate) / plain, 1)} % of plain inserts)`);
		}
	} finally {
		await db.end();
	}
}
