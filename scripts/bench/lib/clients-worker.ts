// A worker thread holding a share of the live bench's socket.io clients. It measures
// POST → receive latency of every delivery (the main thread tells it when each seq was sent)
// and counts, per client, what arrived against what it should have received.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';
import { Histogram, now } from './stats';

export interface ClientSpec {
	/** the region the client subscribes to: the province or one county */
	region: string;
	cookie?: string;
}

export interface WorkerInit {
	url: string;
	clients: ClientSpec[];
	/** the event type the bench posts; other types (indicators.changed) are counted apart */
	posted: string;
}

/** Sent by the main thread: seq, time sent (ms), county of the subject. */
export type Sent = [number, number, string];

interface Client {
	spec: ClientSpec;
	socket: Socket;
	received: number;
	others: number;
	last: number;
	outOfOrder: number;
	/** seq → receive time, for events that arrived before their POST was answered */
	early: Map<number, number>;
}

const { url, clients: specs, posted } = workerData as WorkerInit;
const port = parentPort!;
const clients: Client[] = [];
const sentAt = new Map<number, number>();
let histogram = new Histogram();
let expected = new Map<string, number>(); // region → acknowledged events for it
let acknowledged = 0;
/** latencies of seqs up to this one belong to an earlier window (see `reset` with `keepCounts`) */
let floor = 0;
let maxSent = 0;
let disconnects = 0;
// the histogram records the time between the timer's runs, its own 10 ms interval included:
// the delay is what comes on top of that interval (as in probe.js)
const RESOLUTION = 10;
const loop = monitorEventLoopDelay({ resolution: RESOLUTION });
const delayMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION) * 100) / 100);
loop.enable();

function receive(client: Client, event: { seq: number; type: string }) {
	const at = now();
	if (event.type !== posted) {
		client.others++;
		return;
	}
	client.received++;
	if (event.seq <= client.last) client.outOfOrder++;
	client.last = Math.max(client.last, event.seq);
	const sent = sentAt.get(event.seq);
	if (sent === undefined) client.early.set(event.seq, at);
	else if (event.seq > floor) histogram.add(at - sent);
}

function connect(spec: ClientSpec): Promise<Client> {
	const socket = io(url, {
		path: '/socket.io',
		transports: ['websocket'],
		extraHeaders: spec.cookie ? { cookie: spec.cookie } : {},
		reconnection: false,
		forceNew: true
	});
	const client: Client = { spec, socket, received: 0, others: 0, last: 0, outOfOrder: 0, early: new Map() };
	// subscribed with `batch: true`, as the pages are: one `events` message per commit batch
	socket.on('event', (event) => receive(client, event));
	socket.on('events', (batch: { events: { seq: number; type: string }[] }) => {
		for (const event of batch.events) receive(client, event);
	});
	socket.on('disconnect', () => disconnects++);
	return new Promise((resolve, reject) => {
		socket.once('connect_error', reject);
		socket.once('connect', async () => {
			try {
				const ack = await socket.timeout(30_000).emitWithAck('subscribe', { region: spec.region, batch: true });
				if (!ack?.ok) throw new Error(`subscribe ${spec.region}: ${JSON.stringify(ack)}`);
				resolve(client);
			} catch (error) {
				reject(error);
			}
		});
	});
}

port.on('message', async (message: { cmd: string; sent?: Sent[]; keepCounts?: boolean }) => {
	if (message.cmd === 'connect') {
		try {
			// a few at a time: the server authenticates each handshake against the database
			for (let i = 0; i < specs.length; i += 25) clients.push(...(await Promise.all(specs.slice(i, i + 25).map(connect))));
			port.postMessage({ cmd: 'connected', n: clients.length });
		} catch (error) {
			port.postMessage({ cmd: 'failed', message: (error as Error).message });
		}
	} else if (message.cmd === 'sent') {
		for (const [seq, at, county] of message.sent!) {
			sentAt.set(seq, at);
			maxSent = Math.max(maxSent, seq);
			acknowledged++;
			for (const region of ['370000', county]) expected.set(region, (expected.get(region) ?? 0) + 1);
			for (const client of clients) {
				const early = client.early.get(seq);
				if (early === undefined) continue;
				client.early.delete(seq);
				if (seq > floor) histogram.add(early - at);
			}
		}
	} else if (message.cmd === 'reset' && message.keepCounts) {
		// a new latency window over the same delivery count: events posted before it still count as delivered or lost
		histogram = new Histogram();
		floor = maxSent;
		loop.reset();
		port.postMessage({ cmd: 'reset' });
	} else if (message.cmd === 'reset') {
		histogram = new Histogram();
		floor = 0;
		maxSent = 0;
		expected = new Map();
		sentAt.clear();
		acknowledged = 0;
		disconnects = 0;
		loop.reset();
		for (const client of clients) Object.assign(client, { received: 0, others: 0, outOfOrder: 0, early: new Map() });
		port.postMessage({ cmd: 'reset' });
	} else if (message.cmd === 'report') {
		let lost = 0;
		let extra = 0;
		let outOfOrder = 0;
		let others = 0;
		for (const client of clients) {
			const want = expected.get(client.spec.region) ?? 0;
			lost += Math.max(0, want - client.received);
			extra += Math.max(0, client.received - want);
			outOfOrder += client.outOfOrder;
			others += client.others;
		}
		port.postMessage({
			cmd: 'report',
			counts: histogram.counts,
			lost,
			extra,
			outOfOrder,
			others,
			disconnects,
			connected: clients.filter((c) => c.socket.connected).length,
			loopP99: delayMs(loop.percentile(99)),
			loopMax: delayMs(loop.max)
		});
	} else if (message.cmd === 'close') {
		for (const client of clients) client.socket.close();
		port.postMessage({ cmd: 'closed' });
	}
});
