// `npm run bench [-- --quick] [--only live,reads] [--page /wall] [--keep]`: measures the app against SPEC §8
// on a fresh copy of a full-scale PostgreSQL database. Prints one JSON line per figure on stdout,
// progress on stderr, and a table at the end; the JSON lines also go to test-results/bench/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { connect, ensureTemplate, runDatabase } from './lib/database';
import type { BenchContext, Row } from './lib/context';
import { startMeasuredApp } from './lib/server';
import { sessionCookie } from './lib/sessions';
import { PHASES } from './phases';

const { values } = parseArgs({
	options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, page: { type: 'string' }, keep: { type: 'boolean', default: false } }
});
const only = values.only?.split(',');
const phases = PHASES.filter((p) => !only || only.includes(p.name));
const log = (line: string) => process.stderr.write(`${line}\n`);

const started = new Date();
const rows: Row[] = [];
const machine = {
	cpu: cpus()[0]?.model,
	cores: cpus().length,
	memoryGb: Math.round(totalmem() / 2 ** 30),
	node: process.version,
	loadBefore: loadavg().map((x) => Math.round(x * 100) / 100)
};
log(`bench ${values.quick ? 'quick' : 'full'} · ${machine.cores} × ${machine.cpu} · load ${machine.loadBefore.join(' ')}`);

const template = await ensureTemplate(log);
const database = await runDatabase(template);
const db = connect(database.url, 4);
const [{ version }] = await db`select split_part(version(), ' ', 2) as version`;
mkdirSync('test-results/bench', { recursive: true });
const serverLog = `test-results/bench/server-${process.pid}.log`;
const app = await startMeasuredApp(database.url, serverLog);
log(`server output: ${serverLog}`);
try {
	const counties = (await db`select code from region where level = 'county' and province_code = '370000' order by code`).map((r) => r.code as string);
	const leaders = await Promise.all(Array.from({ length: 10 }, () => sessionCookie(db, 'leader')));
	const countyCookies = new Map<string, string>();
	for (const code of counties) countyCookies.set(code, await sessionCookie(db, `bench-${code}`));
	let nextLeader = 0;
	const ctx: BenchContext = {
		quick: values.quick!,
		app,
		db,
		cookies: { dispatcher: await sessionCookie(db, 'dispatcher'), leader: () => leaders[nextLeader++ % leaders.length], county: (code) => countyCookies.get(code)! },
		counties,
		pages: values.page?.split(',') ?? null,
		log,
		record(row) {
			rows.push(row);
			process.stdout.write(`${JSON.stringify(row)}\n`);
		}
	};
	for (const phase of phases) {
		log(`== ${phase.name}`);
		const t = performance.now();
		try {
			await phase.run(ctx);
		} catch (error) {
			// one phase failing leaves the others' figures standing; the failure is a row of its own
			log(`   ${phase.name} failed: ${(error as Error).stack}`);
			ctx.record({ group: phase.name, name: 'phase failed', value: null, unit: '', ok: false, detail: { error: (error as Error).message } });
		}
		log(`   ${phase.name} took ${Math.round((performance.now() - t) / 1000)} s`);
	}
} finally {
	await app.kill('SIGTERM');
	await db.end();
	if (values.keep) log(`kept database ${database.name}`);
	else await database.drop();
}

const summary = { mode: values.quick ? 'quick' : 'full', date: started.toISOString(), postgres: version, ...machine, loadAfter: loadavg().map((x) => Math.round(x * 100) / 100), seconds: Math.round((Date.now() - started.getTime()) / 1000) };
process.stdout.write(`${JSON.stringify({ summary })}\n`);
mkdirSync('test-results/bench', { recursive: true });
const file = `test-results/bench/${started.toISOString().replace(/[:.]/g, '-')}-${summary.mode}.jsonl`;
writeFileSync(file, [...rows, { summary }].map((r) => JSON.stringify(r)).join('\n') + '\n');

const cell = (x: unknown) => (x === null || x === undefined ? '—' : String(x));
// the same figures as a Markdown table, for BENCHMARKS.md
const spread = (d: Record<string, unknown> | undefined) =>
	d && 'p50' in d && 'p99' in d ? ` (p50 ${cell(d.p50)}${'p95' in d ? ` · p95 ${cell(d.p95)}` : ''} · p99 ${cell(d.p99)})` : '';
const markdown = [
	'| figure | measured | target | met |',
	'|---|---|---|---|',
	...rows.map((r) => `| ${r.group}: ${r.name} | ${cell(r.value)} ${r.unit}${spread(r.detail)} | ${cell(r.target)} | ${r.ok === undefined ? '' : r.ok ? 'yes' : '**no**'} |`)
].join('\n');
writeFileSync(file.replace(/\.jsonl$/, '.md'), `${markdown}\n`);
const table = [
	['group', 'figure', 'value', 'unit', 'target', 'ok'],
	...rows.map((r) => [r.group, r.name, cell(r.value), r.unit, cell(r.target), r.ok === undefined ? '' : r.ok ? 'yes' : 'NO'])
];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => [...r[i]].length)));
log('');
for (const r of table) log(r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  '));
log(`\n${summary.mode} run, ${summary.seconds} s, load ${machine.loadBefore.join(' ')} → ${summary.loadAfter.join(' ')}; figures in ${file}`);
