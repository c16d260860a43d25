/** Calls `run` at most once per `ms`, trailing: a burst of events asks the server once. */
export function throttled(ms: number, run: () => Promise<void>): () => void {
	let timer: ReturnType<typeof setTimeout> | undefined;
	return () => {
		timer ??= setTimeout(() => {
			timer = undefined;
			void run().catch(() => {});
		}, ms);
	};
}
