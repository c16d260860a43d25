// One reader's flood of heavy province-wide reads, and what everyone else sees meanwhile: used by
// the flood fault test (tests/faults/flood.test.ts) and the bench's flood phase.
import { INDICATOR_KEYS } from '../../src/lib/indicators';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The heavy reads a leader sends: village pages of the province, township rankings and lists, the wall. */
export function heavyRead(i: number, villages: number): string {
	const offset = Math.floor(Math.random() * Math.max(1, villages - 1000));
	switch (i % 5) {
		case 0:
			return `/api/indicators?region=370000&level=village&limit=1000&offset=${offset}`;
		case 1:
			return `/api/regions/370000/children?level=village&limit=1000&offset=${offset}`;
		case 2:
			return `/api/rankings?region=370000&level=township&indicator=${INDICATOR_KEYS[i % INDICATOR_KEYS.length]}`;
		case 3:
			return '/api/indicators?region=370000&level=township';
		default:
			return '/api/wall?region=370000';
	}
}

export interface Probe {
	name: string;
	path: string;
	headers?: Record<string, string>;
}

export interface FloodResult {
	/** the flood's answers by status ('left': the caller gave up first) */
	statuses: Record<string, number>;
	/** each probe's times (ms), one request after another */
	timings: Record<string, number[]>;
	/** probe answers other than 200 */
	failures: string[];
}

export function p99(samples: number[]): number {
	const sorted = [...samples].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * 0.99) - 1))];
}

/**
 * `concurrency` loops send `cookie`'s heavy reads for `ms`, a third of them given up after
 * 0.1–1.6 s, while each probe is asked in turn every 100 ms.
 */
export async function flood(options: { baseUrl: string; cookie: string; villages: number; concurrency: number; ms: number; probes: Probe[] }): Promise<FloodResult> {
	const { baseUrl, cookie, villages, concurrency, ms, probes } = options;
	let running = true;
	const statuses: Record<string, number> = {};
	const count = (status: number | string) => (statuses[status] = (statuses[status] ?? 0) + 1);
	const loops = Array.from({ length: concurrency }, async (_, loop) => {
		for (let i = loop; running; i += concurrency) {
			const controller = new AbortController();
			const gaveUp = i % 3 === 0 ? setTimeout(() => controller.abort(), 100 + Math.random() * 1500) : undefined;
			try {
				const res = await fetch(`${baseUrl}${heavyRead(i, villages)}`, { headers: { cookie }, signal: controller.signal });
				await res.arrayBuffer();
				count(res.status);
				if (res.status === 429) await sleep(50);
			} catch {
				count('left');
			} finally {
				clearTimeout(gaveUp);
			}
		}
	});
	const timings: Record<string, number[]> = Object.fromEntries(probes.map((p) => [p.name, []]));
	const failures: string[] = [];
	const ask = async ({ name, path, headers = {} }: Probe) => {
		while (running) {
			const started = performance.now();
			try {
				const res = await fetch(`${baseUrl}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
				await res.arrayBuffer();
				if (res.status !== 200) failures.push(`${name}: ${res.status}`);
			} catch (error) {
				failures.push(`${name}: ${(error as Error).name} ${String((error as { cause?: unknown }).cause ?? '')}`);
			}
			timings[name].push(performance.now() - started);
			await sleep(100);
		}
	};
	await sleep(1000); // the flood under way
	const asking = probes.map(ask);
	await sleep(ms);
	running = false;
	await Promise.all([...asking, ...loops]);
	return { statuses, timings, failures };
}
