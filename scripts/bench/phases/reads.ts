import type { BenchContext, Phase } from '../lib/context';
import { now, percentiles } from '../lib/stats';

const REPLAY = 10_000;
const PAGE = 1_000;

async function timed(url: string, cookie: string): Promise<{ ms: number; body: unknown }> {
	const started = now();
	const res = await fetch(url, { headers: { cookie } });
	const body = await res.json();
	if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
	return { ms: now() - started, body };
}

/** Enough events for the replay: the live phase leaves plenty; alone, the bench posts them first. */
async function ensureEvents(ctx: BenchContext): Promise<number> {
	const [{ n }] = await ctx.db`select count(*)::int as n from event`;
	if (n >= REPLAY) return n;
	ctx.log(`  posting ${REPLAY - n} events for the replay…`);
	const clinics = await ctx.db`select id from facility where kind = 'village_clinic' order by id limit 500`;
	for (let i = n; i < REPLAY; i += 32) {
		await Promise.all(
			Array.from({ length: 16 }, (_, k) =>
				fetch(`${ctx.app.baseUrl}/api/events`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', cookie: ctx.cookies.dispatcher },
					body: JSON.stringify({ type: 'facility.updated', payload: { facility: clinics[(i + k) % clinics.length].id, doctors: (i + k) % 3 } })
				}).then((r) => r.text())
			)
		);
	}
	return REPLAY;
}

/** Reads at full scale (SPEC §8: a province's counties < 50 ms p95). */
export const reads: Phase = {
	name: 'reads',
	async run(ctx) {
		const n = ctx.quick ? 30 : 200;
		const cookie = ctx.cookies.leader();
		const base = ctx.app.baseUrl;
		const county = '371424';
		const series: { name: string; url: string; target?: number }[] = [
			{ name: 'GET /api/regions/370000/children (137 county polygons)', url: `${base}/api/regions/370000/children`, target: 50 },
			{ name: `GET /api/regions/${county}/children (its townships)`, url: `${base}/api/regions/${county}/children` },
			{ name: 'GET /api/indicators?region=370000&level=county', url: `${base}/api/indicators?region=370000&level=county`, target: 50 },
			// a page of the province's villages, somewhere in the middle of the list
			{ name: 'GET /api/indicators?region=370000&level=village&limit=100&offset=35000', url: `${base}/api/indicators?region=370000&level=village&limit=100&offset=35000` }
		];
		for (const s of series) {
			for (let i = 0; i < 3; i++) await timed(s.url, cookie);
			const samples: number[] = [];
			for (let i = 0; i < n; i++) samples.push((await timed(s.url, cookie)).ms);
			const p = percentiles(samples);
			ctx.record({ group: 'reads at full scale', name: `${s.name}: p50/p95/p99`, value: p.p95, unit: 'ms p95', target: s.target ? `p95 < ${s.target} ms` : undefined, ok: s.target ? p.p95! < s.target : undefined, detail: p });
		}
		await ensureEvents(ctx);
		const [{ head }] = await ctx.db`select max(seq) as head from event`;
		const replays: number[] = [];
		let replayed = 0;
		for (let r = 0; r < Math.max(5, n / 5); r++) {
			const started = now();
			replayed = 0;
			for (let after = head - REPLAY; ; ) {
				const { body } = await timed(`${base}/api/events?region=370000&after=${after}&limit=${PAGE}`, cookie);
				const items = (body as { items: { seq: number }[] }).items;
				replayed += items.length;
				if (items.length < PAGE) break;
				after = items[items.length - 1].seq;
			}
			replays.push(now() - started);
		}
		const p = percentiles(replays);
		ctx.record({ group: 'reads at full scale', name: `GET /api/events replay of ${replayed} events (pages of ${PAGE}): p50/p95/p99`, value: p.p95, unit: 'ms p95', detail: { ...p, events: replayed } });
	}
};
