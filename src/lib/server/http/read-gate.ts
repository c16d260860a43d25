import type { Viewer } from '../auth/viewer';

export interface ReadSettings {
	/** API reads one session or kiosk token has in the app at once */
	perViewer: number;
	/** its reads waiting their turn beyond those; more are refused (429) */
	queue: number;
	/** how long a read may take, its wait included, before it is answered 503 and its queries cancelled */
	timeoutMs: number;
}

export const DEFAULT_READS: ReadSettings = { perViewer: 2, queue: 16, timeoutMs: 10_000 };

// told apart by `code`, not by class: the server entry and the SvelteKit bundle each have a copy

/** A read refused because its viewer already has `perViewer` running and `queue` waiting. */
export class TooManyReads extends Error {
	readonly code = 'too_many_reads';
}

/** A waiting read whose request stopped (its caller left, or its time ran out) before its turn: as a cancelled statement. */
export class ReadAbandoned extends Error {
	readonly code = '57014';
}

interface Waiter {
	admit: () => void;
	abandon: () => void;
}

interface Share {
	active: number;
	waiting: Waiter[];
}

/**
 * The fair share of the database for reads, as `writeGate` is for writes: each session or kiosk
 * token has at most `perViewer` API reads in the app at once, later ones wait in arrival order,
 * at most `queue` of them, and past that are refused at once. So one account sending dozens of
 * heavy reads at once holds `perViewer` of the database's connections, not all of them, and
 * everyone else's reads go on between its own. A waiting read whose request stops is dropped.
 */
export class ReadGate {
	private shares = new Map<string, Share>();

	constructor(private readonly settings: Pick<ReadSettings, 'perViewer' | 'queue'>) {}

	/** Resolves once the read may run, with the function that ends its turn; rejects with TooManyReads or ReadAbandoned. */
	admit(key: string, signal: AbortSignal): Promise<() => void> {
		let share = this.shares.get(key);
		if (!share) this.shares.set(key, (share = { active: 0, waiting: [] }));
		if (share.active < this.settings.perViewer) {
			share.active++;
			return Promise.resolve(this.release(key, share));
		}
		if (share.waiting.length >= this.settings.queue) return Promise.reject(new TooManyReads());
		if (signal.aborted) return Promise.reject(new ReadAbandoned());
		return new Promise((resolve, reject) => {
			const waiter: Waiter = {
				admit: () => {
					signal.removeEventListener('abort', waiter.abandon);
					share.active++;
					resolve(this.release(key, share));
				},
				abandon: () => {
					const at = share.waiting.indexOf(waiter);
					if (at !== -1) share.waiting.splice(at, 1);
					this.forget(key, share);
					reject(new ReadAbandoned());
				}
			};
			share.waiting.push(waiter);
			signal.addEventListener('abort', waiter.abandon, { once: true });
		});
	}

	/** Reads running and waiting for `key` (for tests and figures). */
	load(key: string): { active: number; waiting: number } {
		const share = this.shares.get(key);
		return { active: share?.active ?? 0, waiting: share?.waiting.length ?? 0 };
	}

	private release(key: string, share: Share): () => void {
		let released = false;
		return () => {
			if (released) return;
			released = true;
			share.active--;
			const next = share.waiting.shift();
			if (next) next.admit();
			else this.forget(key, share);
		};
	}

	private forget(key: string, share: Share): void {
		if (share.active === 0 && share.waiting.length === 0 && this.shares.get(key) === share) this.shares.delete(key);
	}
}

/** Whose share a read counts against: the session of a signed-in user, or the kiosk token. */
export function shareKey(viewer: Viewer | null | undefined): string | null {
	if (!viewer) return null;
	return viewer.kind === 'user' ? `session:${viewer.sessionId}` : `kiosk:${viewer.id}`;
}

// The server entry sets the settings at boot; the SvelteKit bundle's `route` reads them (one
// gate for both copies of this module).
const KEY = Symbol.for('hcc.read-gate');
const holder = globalThis as unknown as Record<symbol, { settings: ReadSettings; gate: ReadGate } | undefined>;

export function configureReads(settings: ReadSettings): void {
	holder[KEY] = { settings, gate: new ReadGate(settings) };
}

export function reads(): { settings: ReadSettings; gate: ReadGate } {
	return (holder[KEY] ??= { settings: DEFAULT_READS, gate: new ReadGate(DEFAULT_READS) });
}
