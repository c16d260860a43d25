import { sql } from '../db';
import { EVERYONE, eventsAfter } from './log';
import { emit, liveFrom, liveThrough, socketServer } from './socket';

/**
 * Broadcasts committed events in seq order. Requests commit and return in any order, so the
 * publisher does not send what they hand it: it reads the log after the last seq it sent, which
 * (seqs being gapless and commit-ordered) is every event, once, in order, whoever wrote it.
 */
interface Publisher {
	running: boolean;
	again: boolean;
}

// the SvelteKit bundle and the production entry each load this module: one publisher for both
const KEY = Symbol.for('hcc.publisher');
const holder = globalThis as unknown as Record<symbol, Publisher | undefined>;
const publisher = (): Publisher => (holder[KEY] ??= { running: false, again: false });

const PAGE = 500;

async function pump(state: Publisher): Promise<void> {
	while (state.again) {
		state.again = false;
		for (;;) {
			const { items } = await eventsAfter(sql, { region: null, after: liveThrough() ?? 0, limit: PAGE }, EVERYONE);
			for (const event of items) emit(event);
			if (items.length < PAGE) break;
		}
	}
}

function run(state: Publisher): void {
	state.running = true;
	pump(state)
		.catch((error: Error) => console.error('publishing events failed:', error.message))
		.finally(() => {
			state.running = false;
			if (state.again) run(state);
		});
}

/** Called after a commit that appended events from `seq` on: sends them and anything before. */
export function publish(seq: number): void {
	if (!socketServer()) return;
	liveFrom(seq - 1);
	const state = publisher();
	state.again = true;
	if (!state.running) run(state);
}
