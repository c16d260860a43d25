import { createServer } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { LiveStream } from '../../src/lib/live/live-stream.svelte';
import type { LiveEvent } from '../../src/lib/types/events';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeRequest } from '../../src/lib/types/socket';

/**
 * The pages' live client against a socket.io server that loses events on purpose: a server of
 * the app never does, but a client must not trust that it never will.
 */
const http = createServer();
const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { path: '/socket.io' });
let url = '';
const requests: SubscribeRequest[] = [];

const SINGLES = '990101';
const BATCHES = '990102';

const event = (seq: number, county: string) => ({
	seq,
	type: 'facility.updated' as const,
	at: new Date().toISOString(),
	actor: 'test',
	path: { province: '990000', city: null, county, township: null, village: null },
	payload: { facility: `f-${seq}`, kind: 'village_clinic', doctors: 1, licensed_doctors: 0, standard_met: false }
});

beforeAll(async () => {
	io.on('connection', (socket) => {
		socket.on('subscribe', (request, ack) => {
			requests.push(request);
			const again = requests.filter((r) => r.region === request.region).length > 1;
			ack({ ok: true, replayed: 0, head: 11 });
			setTimeout(() => {
				if (request.region === SINGLES) {
					// an old server: first 11, then 14 claiming 13 came before it: 12 and 13 were lost; the replay has them
					const sends = again ? [12, 13, 14, 15] : [11, 14];
					for (const seq of sends) socket.emit('event', { ...event(seq, SINGLES), prev: seq === 11 ? 10 : seq - 1 });
				} else if (!again) {
					// 11 alone, then a batch of 14–16 after one that ended at 13: the batch of 12–13 was lost
					socket.emit('events', { from: 11, to: 11, prev: 10, events: [event(11, BATCHES)] });
					socket.emit('events', { from: 14, to: 16, prev: 13, events: [event(14, BATCHES), event(16, BATCHES)] });
				} else {
					// the replay after 11, in one batch (15 was not this viewer's), then one live batch after it
					socket.emit('events', { from: 12, to: 16, prev: 11, events: [12, 13, 14, 16].map((seq) => event(seq, BATCHES)) });
					socket.emit('events', { from: 17, to: 18, prev: 16, events: [event(18, BATCHES)] });
				}
			}, 20);
		});
	});
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const address = http.address();
	url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
	io.close();
});

async function received(region: string, count: number): Promise<{ events: LiveEvent[]; stream: LiveStream }> {
	const stream = new LiveStream({ region, after: 10, url });
	const events: LiveEvent[] = [];
	stream.onEvent((e) => events.push(e));
	stream.start();
	const deadline = Date.now() + 10_000;
	while (events.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
	await new Promise((r) => setTimeout(r, 50));
	stream.stop();
	return { events, stream };
}

it('asks again from its last seq when an event names one it has not seen, and ends with each event once, in order', async () => {
	const { events } = await received(SINGLES, 5);
	expect(events.map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
	expect(requests.filter((r) => r.region === SINGLES)).toEqual([
		{ region: SINGLES, after: 10, batch: true },
		{ region: SINGLES, after: 11, batch: true }
	]);
});

it('asks again when a batch names a `prev` it has not seen, and goes on from the last batch\'s `to`', async () => {
	const { events, stream } = await received(BATCHES, 6);
	expect(events.map((e) => e.seq)).toEqual([11, 12, 13, 14, 16, 18]);
	expect(requests.filter((r) => r.region === BATCHES)).toEqual([
		{ region: BATCHES, after: 10, batch: true },
		{ region: BATCHES, after: 11, batch: true }
	]);
	// what a batch stood for has been seen, whatever it left out
	expect(stream.lastSeq).toBe(18);
	expect(stream.recent.map((e) => e.seq)).toEqual([18, 16, 14, 13, 12, 11]);
});
