import type { BenchContext, Phase } from '../lib/context';
import { connect } from '../lib/database';
import { now, round } from '../lib/stats';
import type { ProbeReport } from '../lib/server';

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
		for (const concurrency of [1, 8, 32]) {
			const plain = connect(ctx.app.dbUrl, concurrency);
			const inserts = await closedLoop(concurrency, seconds, async (w, i) => {
				await plain`insert into bench_plain_insert (payload) values (${plain.json({ worker: w, i, facility: clinics[i % clinics.length] })})`;
				return true;
			});
			await plain.end();
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
		await ctx.db`drop table bench_plain_insert`;
	}
};
