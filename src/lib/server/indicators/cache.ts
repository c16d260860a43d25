import { QueryStopped, sql } from '../db';
import { currentWork, requestWork, runAsRequest, type RequestWork } from '../db/request-context';

interface Entry {
	version: string;
	value: Promise<unknown>;
	/** the computation's own work: stopped once every request waiting for it has left */
	work: RequestWork;
	waiting: number;
	done: boolean;
}

/** Aggregates kept (each the latest version of its key); the oldest is dropped past this. */
const MAX_ENTRIES = 256;
const entries = new Map<string, Entry>();

/**
 * What aggregates are computed from, as of now: the last committed event (every change to the
 * records and counters commits one) and the day (baselines and deadlines turn with it).
 */
async function dataVersion(): Promise<string> {
	const [row] = await sql`select coalesce(max(seq), 0)::text as seq, current_date::text as day from event`;
	return `${row.seq}@${row.day}`;
}

/**
 * `compute`'s answer for `key` at the data's current version: computed once per version and
 * shared, so a wall of every screen asking for the province, or one reader asking dozens of
 * times at once, costs one computation. Concurrent requests wait for the same one; it runs as
 * work of its own, stopped (its queries cancelled) only when every request waiting for it has
 * left. `key` must name everything the answer depends on, the region above all: callers check
 * the viewer's scope for that region first, and an entry never answers for another region.
 */
export async function shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
	const version = await dataVersion();
	let entry = entries.get(key);
	if (!entry || entry.version !== version) {
		const work = requestWork();
		const created: Entry = { version, value: runAsRequest(work, compute), work, waiting: 0, done: false };
		created.value.then(
			() => (created.done = true),
			() => {
				created.done = true;
				if (entries.get(key) === created) entries.delete(key);
			}
		);
		entries.delete(key);
		entries.set(key, created);
		while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
		entry = created;
	}
	return follow(entry) as Promise<T>;
}

/** The entry's answer, for the current request: if it leaves, it stops waiting, and the computation stops with its last waiter. */
function follow(entry: Entry): Promise<unknown> {
	const caller = currentWork();
	if (entry.done || !caller) return entry.value;
	if (caller.signal.aborted) return Promise.reject(new QueryStopped('request stopped'));
	entry.waiting++;
	return new Promise((resolve, reject) => {
		const leave = () => {
			if (--entry.waiting === 0 && !entry.done) entry.work.stop(caller.reason ?? 'disconnected');
			reject(new QueryStopped('request stopped'));
		};
		caller.signal.addEventListener('abort', leave, { once: true });
		entry.value.then(
			(value) => {
				caller.signal.removeEventListener('abort', leave);
				entry.waiting--;
				resolve(value);
			},
			(error) => {
				caller.signal.removeEventListener('abort', leave);
				entry.waiting--;
				reject(error);
			}
		);
	});
}

/** Forgets every entry (tests). */
export function clearShared(): void {
	entries.clear();
}
