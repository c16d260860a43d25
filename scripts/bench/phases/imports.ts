import { randomUUID } from 'node:crypto';
import { createWriteStream, openAsBlob, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, Phase } from '../lib/context';
import { sessionCookie } from '../lib/sessions';
import { now, round } from '../lib/stats';
import { csvLine } from '../../../src/lib/server/exports/csv';
import { IMPORT_COLUMNS, PATIENT_CATEGORY_WORDS, type ImportKind } from '../../../src/lib/types/imports';

/** Writes `lines` to a file; its size in bytes. */
async function writeFile(path: string, lines: AsyncIterable<string>): Promise<number> {
	const out = createWriteStream(path);
	out.write('\uFEFF');
	for await (const line of lines) if (!out.write(line)) await new Promise((r) => out.once('drain', r));
	await new Promise((r) => out.end(r));
	return statSync(path).size;
}

const yes = (b: boolean) => (b ? '是' : '否');

/**
 * The province's whole patient register as an office sends it again with every identification
 * day corrected one day earlier: every one of the 605,000 rows is an update (and no indicator moves).
 */
async function* patientRegister(ctx: BenchContext): AsyncGenerator<string> {
	yield csvLine(IMPORT_COLUMNS.patients.map((c) => c.zh));
	const rows = ctx.db`select id, village_code, category, disease, (identified_on - 1)::text as identified_on, treated_on::text, signed_on::text,
			followed_up_on::text, insured from patient order by id`.cursor(2000);
	for await (const batch of rows) {
		for (const p of batch) {
			yield csvLine([p.id, p.village_code, PATIENT_CATEGORY_WORDS[p.category][0], p.disease, p.identified_on, p.treated_on, p.signed_on, p.followed_up_on, yes(p.insured)]);
		}
	}
}

/** Every village of the province with one more inhabitant each. */
async function* villageList(ctx: BenchContext): AsyncGenerator<string> {
	yield csvLine(IMPORT_COLUMNS.villages.map((c) => c.zh));
	const rows = ctx.db`select code, name, township_code, st_x(point) as lon, st_y(point) as lat, population + 1 as population, is_key
		from region where level = 'village' order by code`.cursor(2000);
	for await (const batch of rows) for (const v of batch) yield csvLine([v.code, v.name, v.township_code, v.lon, v.lat, v.population, yes(v.is_key)]);
}

interface Timed {
	ms: number;
	status: number;
	body: { inserted?: number; updated?: number; rows?: number; error?: unknown };
	peakRssMb: number;
	/** when each phase was first seen by the uploader's polling, ms after the start */
	phases: Record<string, number>;
}

/** Uploads a file in one request, polling its progress as the admin page does, and the server's memory. */
async function timedImport(ctx: BenchContext, cookie: string, kind: ImportKind, path: string): Promise<Timed> {
	const job = randomUUID();
	const phases: Record<string, number> = {};
	ctx.app.resetProbe();
	const started = now();
	let done = false;
	const poll = (async () => {
		while (!done) {
			const res = await fetch(`${ctx.app.baseUrl}/api/imports/jobs/${job}`, { headers: { cookie } }).catch(() => null);
			if (res?.ok) {
				const progress = (await res.json()) as { phase: string; rows: number };
				phases[progress.phase] ??= Math.round(now() - started);
			} else await res?.text();
			await new Promise((r) => setTimeout(r, 1000));
		}
	})();
	const res = await fetch(`${ctx.app.baseUrl}/api/imports/${kind}?job=${job}&name=${encodeURIComponent(path.split('/').pop()!)}`, {
		method: 'POST',
		headers: { cookie, 'content-type': 'text/csv' },
		body: await openAsBlob(path)
	});
	const body = await res.json();
	const ms = now() - started;
	done = true;
	await poll;
	const probe = await ctx.app.probe();
	return { ms, status: res.status, body, peakRssMb: probe.peakRssMb, phases };
}

/** Imports at full scale (SPEC §8): the province's patient register in one request under 300 MB, and its villages. */
export const imports: Phase = {
	name: 'imports',
	async run(ctx) {
		const cookie = await sessionCookie(ctx.db, 'admin');
		const dir = tmpdir();
		const files = { patients: join(dir, `bench-patients-${process.pid}.csv`), villages: join(dir, `bench-villages-${process.pid}.csv`) };
		try {
			let t = now();
			const patientBytes = await writeFile(files.patients, patientRegister(ctx));
			ctx.log(`  patient register: ${round(patientBytes / 1048576, 1)} MB written in ${round((now() - t) / 1000, 1)} s`);
			const p = await timedImport(ctx, cookie, 'patients', files.patients);
			if (p.status !== 200) throw new Error(`patient import answered ${p.status}: ${JSON.stringify(p.body).slice(0, 500)}`);
			ctx.record({
				group: 'imports',
				name: `${p.body.rows!.toLocaleString('en-US')}-patient register, one request (CSV, ${round(patientBytes / 1048576, 1)} MB): time`,
				value: round(p.ms / 1000, 1),
				unit: 's',
				detail: { updated: p.body.updated, inserted: p.body.inserted, rowsPerSecond: Math.round(p.body.rows! / (p.ms / 1000)), phasesSeenAtMs: p.phases }
			});
			ctx.record({ group: 'imports', name: 'server RSS at peak during the patient import', value: p.peakRssMb, unit: 'MB', target: '< 300 MB', ok: p.peakRssMb < 300 });

			t = now();
			const villageBytes = await writeFile(files.villages, villageList(ctx));
			ctx.log(`  village list: ${round(villageBytes / 1048576, 1)} MB written in ${round((now() - t) / 1000, 1)} s`);
			const v = await timedImport(ctx, cookie, 'villages', files.villages);
			if (v.status !== 200) throw new Error(`village import answered ${v.status}: ${JSON.stringify(v.body).slice(0, 500)}`);
			ctx.record({
				group: 'imports',
				name: `${v.body.rows!.toLocaleString('en-US')}-village list, one request (CSV, ${round(villageBytes / 1048576, 1)} MB): time`,
				value: round(v.ms / 1000, 1),
				unit: 's',
				detail: { updated: v.body.updated, peakRssMb: v.peakRssMb, phasesSeenAtMs: v.phases }
			});

			// the export the register came from, through the API: streamed, a province at once
			ctx.app.resetProbe();
			t = now();
			const exported = await fetch(`${ctx.app.baseUrl}/api/exports/patients?region=370000`, { headers: { cookie } });
			let bytes = 0;
			for await (const chunk of exported.body!) bytes += (chunk as Uint8Array).byteLength;
			const probe = await ctx.app.probe();
			ctx.record({ group: 'imports', name: "export of the province's patients (CSV, streamed): time", value: round((now() - t) / 1000, 1), unit: 's', detail: { mb: round(bytes / 1048576, 1), peakRssMb: probe.peakRssMb } });
		} finally {
			for (const path of Object.values(files)) rmSync(path, { force: true });
		}
	}
};
