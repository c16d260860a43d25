import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';

/** Why a request's database work was stopped: its caller went away, or it ran past its time. */
export type StopReason = 'disconnected' | 'timeout';

/**
 * What the database client knows of the request it works for: its queries are registered
 * here, and stopping the request cancels those still waiting or running (`sql` in ./index).
 */
export interface RequestWork {
	readonly signal: AbortSignal;
	/** why the work was stopped, once it was */
	readonly reason: StopReason | undefined;
	stop(reason: StopReason): void;
}

export function requestWork(): RequestWork {
	const controller = new AbortController();
	// each of the request's queries listens (and stops listening once it is done)
	setMaxListeners(0, controller.signal);
	let reason: StopReason | undefined;
	return {
		signal: controller.signal,
		get reason() {
			return reason;
		},
		stop(why) {
			if (reason) return;
			reason = why;
			controller.abort(why);
		}
	};
}

// The SvelteKit bundle and the server entry each load this module; both must see one store.
const KEY = Symbol.for('hcc.request-work');
const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<RequestWork> | undefined>;
const store: AsyncLocalStorage<RequestWork> = (holder[KEY] ??= new AsyncLocalStorage<RequestWork>());

/** Runs `fn` as the work of one request: queries it issues are stopped with it. */
export const runAsRequest = <T>(work: RequestWork, fn: () => T): T => store.run(work, fn);

/** The request the current code works for, if any. */
export const currentWork = (): RequestWork | undefined => store.getStore();

/** Runs `fn` for no request in particular (work shared by several requests must not stop with one). */
export const detached = <T>(fn: () => T): T => store.exit(fn);
