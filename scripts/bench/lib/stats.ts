/** Latencies in a fixed-bucket histogram (0.1 ms steps up to 60 s): cheap to fill and to merge across threads. */
export const STEP_MS = 0.1;
const BUCKETS = 600_000;

export class Histogram {
	counts: Uint32Array;
	constructor(counts?: ArrayLike<number>) {
		this.counts = counts ? Uint32Array.from(counts) : new Uint32Array(BUCKETS);
	}
	add(ms: number): void {
		this.counts[Math.min(BUCKETS - 1, Math.max(0, Math.round(ms / STEP_MS)))]++;
	}
	merge(other: Histogram): void {
		for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i];
	}
	get total(): number {
		let n = 0;
		for (let i = 0; i < BUCKETS; i++) n += this.counts[i];
		return n;
	}
	/** The latency below which `p` percent of the samples lie, in ms (null when empty). */
	percentile(p: number): number | null {
		const total = this.total;
		if (!total) return null;
		const rank = Math.ceil((p / 100) * total);
		let seen = 0;
		for (let i = 0; i < BUCKETS; i++) {
			seen += this.counts[i];
			if (seen >= rank) return round(i * STEP_MS);
		}
		return null;
	}
	max(): number | null {
		for (let i = BUCKETS - 1; i >= 0; i--) if (this.counts[i]) return round(i * STEP_MS);
		return null;
	}
}

export const round = (x: number, places = 1) => Math.round(x * 10 ** places) / 10 ** places;

/** p50/p95/p99 of plain samples, in the unit given. */
export function percentiles(samples: number[]) {
	const sorted = [...samples].sort((a, b) => a - b);
	const at = (p: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]) : null);
	return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.length ? round(sorted[sorted.length - 1]) : null };
}

/** Absolute time in ms, comparable across worker threads. */
export const now = () => performance.timeOrigin + performance.now();
