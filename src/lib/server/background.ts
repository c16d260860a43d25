import type { Config } from './config';
import { watchDeadlines } from './events/deadlines';
import { simulate } from './events/simulator';

/** The server's own work beside requests: the deadline watcher, and in demo mode the simulator. */
export async function startBackground(config: Config, { simulated }: { simulated: boolean }): Promise<() => void> {
	const stops = [watchDeadlines(config.DEADLINE_CHECK_SECONDS * 1000)];
	if (simulated) stops.push(await simulate(config.SIMULATE_PER_MINUTE));
	return () => stops.forEach((stop) => stop());
}
