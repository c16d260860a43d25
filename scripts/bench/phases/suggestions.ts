import type { BenchContext, Phase } from '../lib/context';
import { now, percentiles } from '../lib/stats';

async function timed(url: string, cookie: string): Promise<number> {
	const started = now();
	const res = await fetch(url, { headers: { cookie } });
	const body = (await res.json()) as { items?: unknown[]; total?: number };
	if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
	return now() - started;
}

/** Some dispatch history at full scale: the county facts read assignments, the nearest team reads free teams. */
async function ensureHistory(ctx: BenchContext): Promise<void> {
	const [{ n }] = await ctx.db`select count(*)::int as n from assignment where team_id is not null`;
	if (n >= 100) return;
	await ctx.db`
		insert into assignment (team_id, county_code, status, starts_on, ends_on, visited_on, ended_at)
		select (select id from team order by md5(c.code || g::text) limit 1), c.code, 'done',
			current_date - (g * 17 % 300) - 2, current_date - (g * 17 % 300), current_date - (g * 17 % 300) - 2, now()
		from region c, generate_series(1, 3) g
		where c.level = 'county' and c.province_code = '370000' and (hashtext(c.code) + g) % 4 = 0`;
}

/** The dispatch console's ranking at full scale: every county of the province, with its nearest free team (p95 < 200 ms). */
export const suggestions: Phase = {
	name: 'suggestions',
	async run(ctx) {
		await ensureHistory(ctx);
		const n = ctx.quick ? 40 : 200;
		const base = ctx.app.baseUrl;
		const series: { name: string; url: string; target?: number }[] = [
			{ name: 'GET /api/dispatch/suggestions?region=370000 (137 counties ranked, nearest free team each)', url: `${base}/api/dispatch/suggestions?region=370000`, target: 200 },
			{ name: 'GET /api/dispatch/suggestions?region=371400 (a city)', url: `${base}/api/dispatch/suggestions?region=371400` },
			{ name: 'GET /api/dispatch/counties/371424 (places, problems, free teams for the dialog)', url: `${base}/api/dispatch/counties/371424` }
		];
		for (const s of series) {
			for (let i = 0; i < 3; i++) await timed(s.url, ctx.cookies.dispatcher);
			const samples: number[] = [];
			for (let i = 0; i < n; i++) samples.push(await timed(s.url, ctx.cookies.dispatcher));
			const p = percentiles(samples);
			ctx.record({
				group: 'dispatch at full scale',
				name: `${s.name}: p50/p95/p99`,
				value: p.p95,
				unit: 'ms p95',
				target: s.target ? `p95 < ${s.target} ms` : undefined,
				ok: s.target ? p.p95! < s.target : undefined,
				detail: p
			});
		}
	}
};
