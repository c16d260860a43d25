import { Worker } from 'node:worker_threads';
import { Histogram } from './stats';
import type { ClientSpec, Sent } from './clients-worker';

export interface ClientReport {
	histogram: Histogram;
	lost: number;
	extra: number;
	outOfOrder: number;
	others: number;
	disconnects: number;
	connected: number;
	/** the client threads' own event-loop delay: a busy client adds to the latency it measures */
	loopP99: number;
	loopMax: number;
}

/** The bench's socket.io clients, spread over worker threads; one `fleet` per server measured. */
export class Fleet {
	private workers: Worker[];
	private buffer: Sent[] = [];
	private timer: NodeJS.Timeout;

	constructor(url: string, specs: ClientSpec[], posted: string, threads = 2) {
		this.workers = Array.from({ length: threads }, (_, t) =>
			new Worker(new URL('./clients-worker.js', import.meta.url), {
				workerData: { url, clients: specs.filter((_, i) => i % threads === t), posted }
			})
		);
		// acknowledgements go to the workers in small batches: one message per POST would cost more than it measures
		this.timer = setInterval(() => this.flush(), 10);
	}

	private ask<T>(worker: Worker, cmd: string, answer = cmd, extra: object = {}): Promise<T> {
		return new Promise((resolve, reject) => {
			const listener = (message: { cmd: string; message?: string } & T) => {
				if (message.cmd !== answer && message.cmd !== 'failed') return;
				worker.off('message', listener);
				worker.off('error', reject);
				if (message.cmd === 'failed') reject(new Error(message.message));
				else resolve(message);
			};
			worker.on('message', listener);
			worker.on('error', reject);
			worker.postMessage({ cmd, ...extra });
		});
	}

	async connect(): Promise<number> {
		const answers = await Promise.all(this.workers.map((w) => this.ask<{ n: number }>(w, 'connect', 'connected')));
		return answers.reduce((n, a) => n + a.n, 0);
	}

	sent(seq: number, at: number, county: string): void {
		this.buffer.push([seq, at, county]);
	}

	flush(): void {
		if (!this.buffer.length) return;
		const sent = this.buffer;
		this.buffer = [];
		for (const worker of this.workers) worker.postMessage({ cmd: 'sent', sent });
	}

	/** Starts a new measuring window; `keepCounts` goes on counting deliveries (and losses) across it. */
	async reset(keepCounts = false): Promise<void> {
		this.flush();
		await Promise.all(this.workers.map((w) => this.ask(w, 'reset', 'reset', { keepCounts })));
	}

	async report(): Promise<ClientReport> {
		this.flush();
		const parts = await Promise.all(this.workers.map((w) => this.ask<Omit<ClientReport, 'histogram'> & { counts: Uint32Array }>(w, 'report')));
		const histogram = new Histogram();
		for (const part of parts) histogram.merge(new Histogram(part.counts));
		const sum = (key: 'lost' | 'extra' | 'outOfOrder' | 'others' | 'disconnects' | 'connected') => parts.reduce((n, p) => n + p[key], 0);
		return {
			histogram,
			lost: sum('lost'),
			extra: sum('extra'),
			outOfOrder: sum('outOfOrder'),
			others: sum('others'),
			disconnects: sum('disconnects'),
			connected: sum('connected'),
			loopP99: Math.max(...parts.map((p) => p.loopP99)),
			loopMax: Math.max(...parts.map((p) => p.loopMax))
		};
	}

	async close(): Promise<void> {
		clearInterval(this.timer);
		await Promise.all(this.workers.map((w) => this.ask(w, 'close', 'closed')));
		await Promise.all(this.workers.map((w) => w.terminate()));
	}
}
