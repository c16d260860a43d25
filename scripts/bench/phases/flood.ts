import type { Phase } from '../lib/context';
import { flood as floodReads, p99 } from '../../../tests/faults/flood-load';

/**
 * One leader's session sending 40 concurrent heavy province-wide reads (village pages, township
 * rankings and lists, the wall; a third given up by their callers), while `/api/health` and a
 * county officer's county read are asked in turn: issue 11's flood at full scale. Both must
 * answer within 1 s p99, and the server stay under 300 MB.
 */
export const flood: Phase = {
	name: 'flood',
	async run(ctx) {
		const [{ villages }] = await ctx.db`select count(*)::int as villages from region where province_code = '370000' and level = 'village'`;
		const ms = ctx.quick ? 8_000 : 20_000;
		ctx.app.resetProbe();
		const result = await floodReads({
			baseUrl: ctx.app.baseUrl,
			cookie: ctx.cookies.leader(),
			villages,
			concurrency: 40,
			ms,
			probes: [
				{ name: 'health', path: '/api/health' },
				{ name: 'county', path: '/api/indicators?region=371424&level=township', headers: { cookie: ctx.cookies.county('371424') } }
			]
		});
		const probe = await ctx.app.probe();
		// the statements still running for the app once every caller has gone
		const until = Date.now() + 3000;
		let left = 0;
		do {
			[{ n: left }] = await ctx.db`
				select count(*)::int as n from pg_stat_activity
				where datname = current_database() and application_name = 'health-command-center' and state = 'active'`;
			if (left === 0) break;
			await new Promise((r) => setTimeout(r, 200));
		} while (Date.now() < until);
		const group = 'flood of heavy reads from one session';
		const detail = { flood: result.statuses, seconds: ms / 1000, failures: result.failures.slice(0, 5) };
		for (const [name, label] of [
			['health', 'GET /api/health meanwhile'],
			['county', "a county officer's GET /api/indicators?region=371424&level=township meanwhile"]
		] as const) {
			const samples = result.timings[name];
			const value = Math.round(p99(samples));
			ctx.record({ group, name: `${label}: p99`, value, unit: 'ms p99', target: 'p99 < 1000 ms', ok: value < 1000 && !result.failures.length, detail: { ...detail, samples: samples.length } });
		}
		ctx.record({ group, name: 'server RSS at peak', value: probe.peakRssMb, unit: 'MB', target: '< 300 MB', ok: probe.peakRssMb < 300, detail: { loop: probe.loop } });
		ctx.record({ group, name: 'statements still running 3 s after the callers left', value: left, unit: '', target: '0', ok: left === 0 });
	}
};
