import type { Phase } from '../lib/context';
import { changeUnits, counterDrift } from '../../../src/lib/server/indicators/counters';
import type { Db } from '../../../src/lib/server/db';
import { now, percentiles, round } from '../lib/stats';

class Rollback extends Error {}

/** Incremental counters against a full recomputation: what each costs, and that they agree. */
export const indicators: Phase = {
	name: 'indicators',
	async run(ctx) {
		// after everything the earlier phases posted, the kept counters must equal a recomputation
		let started = now();
		const drift = await counterDrift(ctx.db as unknown as Db);
		const compareMs = now() - started;
		ctx.record({ group: 'indicators', name: 'counters kept by each write ≠ recomputation from the records (after the run)', value: drift.length, unit: 'differing rows', target: '0', ok: drift.length === 0, detail: { compareMs: round(compareMs), sample: drift.slice(0, 3) } });

		started = now();
		await ctx.db
			.begin(async (tx) => {
				await tx`select recompute_counters()`;
				throw new Rollback();
			})
			.catch((error) => {
				if (!(error instanceof Rollback)) throw error;
			});
		const fullMs = now() - started;
		ctx.record({ group: 'indicators', name: 'full recomputation of every counter (recompute_counters)', value: round(fullMs / 1000, 2), unit: 's', target: '< 5 s', ok: fullMs < 5000 });

		// the counter work of one change: snapshot the unit, change, snapshot, move the counter
		const clinics = await ctx.db`select id, region_code from facility where kind = 'village_clinic' order by random() limit ${ctx.quick ? 100 : 500}`;
		const samples: number[] = [];
		for (const [i, clinic] of clinics.entries()) {
			await ctx.db
				.begin(async (tx) => {
					const t = now();
					await changeUnits(tx as unknown as Db, [clinic.region_code], () => tx`update facility set doctors = ${i % 3} where id = ${clinic.id}`);
					samples.push(now() - t);
					throw new Rollback();
				})
				.catch((error) => {
					if (!(error instanceof Rollback)) throw error;
				});
		}
		const p = percentiles(samples);
		ctx.record({ group: 'indicators', name: 'incremental counter update of one change (changeUnits): p50/p95/p99', value: p.p50, unit: 'ms p50', detail: { ...p, versusFull: `${round(fullMs / (p.p50 || 1), 0)}× cheaper than a recomputation` } });
	}
};
