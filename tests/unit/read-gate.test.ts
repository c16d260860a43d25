import { describe, expect, it } from 'vitest';
import { ReadGate } from '../../src/lib/server/http/read-gate';

const settle = async <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: Error) => ({ error: error.constructor.name }));
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the read gate', () => {
	it('lets each viewer run at most its share, queues the next in order, and refuses past the queue', async () => {
		const gate = new ReadGate({ perViewer: 2, queue: 2 });
		const never = new AbortController().signal;
		const [a, b] = await Promise.all([gate.admit('one', never), gate.admit('one', never)]);
		const order: string[] = [];
		const c = gate.admit('one', never).then((release) => (order.push('c'), release));
		const d = gate.admit('one', never).then((release) => (order.push('d'), release));
		expect(await settle(gate.admit('one', never))).toEqual({ error: 'TooManyReads' });
		expect(gate.load('one')).toEqual({ active: 2, waiting: 2 });
		// another viewer is not held up by the first one's reads
		const other = await gate.admit('two', never);
		other();
		a();
		(await c)();
		b();
		(await d)();
		expect(order).toEqual(['c', 'd']);
		expect(gate.load('one')).toEqual({ active: 0, waiting: 0 });
	});

	it('drops a waiting read whose request stopped, and gives its turn to the next', async () => {
		const gate = new ReadGate({ perViewer: 1, queue: 4 });
		const never = new AbortController().signal;
		const first = await gate.admit('one', never);
		const leaving = new AbortController();
		const left = settle(gate.admit('one', leaving.signal));
		const next = gate.admit('one', never);
		leaving.abort();
		expect(await left).toEqual({ error: 'ReadAbandoned' });
		expect(gate.load('one')).toEqual({ active: 1, waiting: 1 });
		first();
		first(); // a second release of the same turn changes nothing
		const release = await next;
		expect(gate.load('one')).toEqual({ active: 1, waiting: 0 });
		release();
		await tick();
		expect(gate.load('one')).toEqual({ active: 0, waiting: 0 });
	});
});
