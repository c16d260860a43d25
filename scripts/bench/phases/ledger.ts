import type { Phase } from '../lib/context';
import { now, percentiles } from '../lib/stats';

async function timed(url: string, cookie: string): Promise<{ ms: number; bytes: number }> {
	const started = now();
	const res = await fetch(url, { headers: { cookie } });
	const body = new Uint8Array(await res.arrayBuffer());
	if (res.status !== 200) throw new Error(`${url}: ${res.status} ${new TextDecoder().decode(body).slice(0, 200)}`);
	return { ms: now() - started, bytes: body.byteLength };
}

/**
 * The problem ledger at full scale (SPEC §8: its first filtered page < 100 ms p95): the pages a
 * province dispatcher and a county office open first, and an export of every problem of the
 * province as xlsx and CSV, built from the same query as the page.
 */
export const ledger: Phase = {
	name: 'ledger',
	async run(ctx) {
		const n = ctx.quick ? 30 : 200;
		const base = ctx.app.baseUrl;
		const county = ctx.counties.includes('371424') ? '371424' : ctx.counties[0];
		const [{ problems }] = await ctx.db`select count(*)::int as problems from problem where county_code like '37%'`;
		const series: { name: string; url: string; cookie: string; target?: number }[] = [
			{ name: 'GET /api/problems?region=370000 (first page, overdue first)', url: `${base}/api/problems?region=370000`, cookie: ctx.cookies.dispatcher, target: 100 },
			{
				name: 'GET /api/problems?region=370000&status=open,rectifying&overdue=true&sort=-days_overdue',
				url: `${base}/api/problems?region=370000&status=open,rectifying&overdue=true&sort=-days_overdue`,
				cookie: ctx.cookies.dispatcher,
				target: 100
			},
			{ name: 'GET /api/problems?region=370000&q=卫生室 (free text)', url: `${base}/api/problems?region=370000&q=${encodeURIComponent('卫生室')}`, cookie: ctx.cookies.dispatcher, target: 100 },
			{ name: `GET /api/problems?region=${county} (a county office)`, url: `${base}/api/problems?region=${county}`, cookie: ctx.cookies.county(county), target: 100 },
			{ name: 'GET /api/problems/summary?region=370000&level=county (总账/分账)', url: `${base}/api/problems/summary?region=370000&level=county`, cookie: ctx.cookies.dispatcher }
		];
		for (const s of series) {
			for (let i = 0; i < 3; i++) await timed(s.url, s.cookie);
			const samples: number[] = [];
			for (let i = 0; i < n; i++) samples.push((await timed(s.url, s.cookie)).ms);
			const p = percentiles(samples);
			ctx.record({ group: 'problem ledger at full scale', name: `${s.name}: p50/p95/p99`, value: p.p95, unit: 'ms p95', target: s.target ? `p95 < ${s.target} ms` : undefined, ok: s.target ? p.p95! < s.target : undefined, detail: p });
		}
		for (const format of ['xlsx', 'csv']) {
			const runs: number[] = [];
			let bytes = 0;
			for (let i = 0; i < (ctx.quick ? 3 : 5); i++) {
				const t = await timed(`${base}/api/problems?region=370000&format=${format}`, ctx.cookies.dispatcher);
				runs.push(t.ms);
				bytes = t.bytes;
			}
			const p = percentiles(runs);
			ctx.record({ group: 'problem ledger at full scale', name: `export of every province problem (${problems}) as ${format}: p50`, value: p.p50, unit: 'ms', detail: { ...p, bytes, rows: problems } });
		}
	}
};
