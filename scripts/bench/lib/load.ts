import { Histogram, now } from './stats';

export interface Drive {
	url: string;
	/** requests a second, spread evenly (open loop: sent on schedule, whatever the answers) */
	rate: number;
	seconds: number;
	headers: Record<string, string>;
	/** the i-th request's body and the county it concerns */
	body(i: number): { json: unknown; county: string };
	onAck(seq: number, sentAt: number, county: string): void;
	/** at most this many requests in flight; beyond it the schedule slips, and what is not sent by the end is dropped */
	maxInFlight?: number;
}

export interface Driven {
	sent: number;
	acked: number;
	failed: Record<string, number>;
	seconds: number;
	rate: number;
	/** requests the schedule wanted but that were never sent: the server did not keep up */
	unsent: number;
	/** POST sent → its 201 read, ms: the write's share of the POST → receive latency */
	answered: { p50: number | null; p99: number | null };
}

/** Posts at a fixed rate through the real HTTP API and reports what was acknowledged. */
export async function drive(d: Drive): Promise<Driven> {
	const maxInFlight = d.maxInFlight ?? 512;
	const failed: Record<string, number> = {};
	let sent = 0;
	let acked = 0;
	let inFlight = 0;
	const total = Math.round(d.rate * d.seconds);
	const started = now();
	const pending = new Set<Promise<void>>();
	const answered = new Histogram();
	const one = (i: number) => {
		const { json, county } = d.body(i);
		const at = now();
		inFlight++;
		const request = fetch(d.url, { method: 'POST', headers: { 'content-type': 'application/json', ...d.headers }, body: JSON.stringify(json) })
			.then(async (res) => {
				const text = await res.text();
				if (res.status === 201) {
					acked++;
					answered.add(now() - at);
					d.onAck(JSON.parse(text).seq, at, county);
				} else failed[res.status] = (failed[res.status] ?? 0) + 1;
			})
			.catch((error: Error) => {
				const key = (error.cause as { code?: string })?.code ?? error.message;
				failed[key] = (failed[key] ?? 0) + 1;
			})
			.finally(() => {
				inFlight--;
				pending.delete(request);
			});
		pending.add(request);
	};
	while (sent < total && now() - started < d.seconds * 1000) {
		const due = Math.min(total, Math.floor(((now() - started) / 1000) * d.rate) + 1);
		while (sent < due && inFlight < maxInFlight) one(sent++);
		await new Promise((r) => setTimeout(r, 2));
	}
	await Promise.all(pending);
	const seconds = (now() - started) / 1000;
	return { sent, acked, failed, seconds: Math.round(seconds * 10) / 10, rate: Math.round(acked / seconds), unsent: total - sent, answered: { p50: answered.percentile(50), p99: answered.percentile(99) } };
}
