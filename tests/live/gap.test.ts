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

const event = (seq: number, prev: number) => ({
	seq,
	prev,
	type: 'facility.updated' as const,
	at: new Date().toISOString(),
	actor: 'test',
	path: { province: '990000', city: null, county: '990101', township: null, village: null },
	payload: { facility: `f-${seq}`, kind: 'village_clinic', doctors: 1, licensed_doctors: 0, standard_met: false }
});

beforeAll(async () => {
	io.on('connection', (socket) => {
		socket.on('subscribe', (request, ack) => {
			requests.push(request);
			ack({ ok: true, replayed: 0, head: 11 });
			// first 11, then 14 claiming 13 came before it: 12 and 13 were lost; the replay has them
			const sends = requests.length === 1 ? [event(11, 10), event(14, 13)] : [event(12, 11), event(13, 12), event(14, 13), event(15, 14)];
			setTimeout(() => sends.forEach((e) => socket.emit('event', e)), 20);
		});
	});
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const address = http.address();
	url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
	io.close();
});

it('asks again from its last seq when an event names one it has not seen, and ends with each event once, in order', async () => {
	const stream = new LiveStream({ region: '990101', after: 10, url });
	const received: LiveEvent[] = [];
	stream.onEvent((e) => received.push(e));
	stream.start();
	const deadline = Date.now() + 10_000;
	while (received.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
	stream.stop();
	expect(received.map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
	expect(requests).toEqual([
		{ region: '990101', after: 10 },
		{ region: '990101', after: 11 }
	]);
});
