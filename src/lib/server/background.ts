import type { Config } from './config';
import { watchDeadlines } from './events/write/deadlines';
import { followLog } from './events/stream/publish';
import { simulate } from './events/simulator/simulator';
import { keepSnapshots } from './indicators/snapshots';

/** The server's own work beside requests: the deadline watcher, the daily indicator snapshot, and in demo mode the simulator. */
export async function startBackground(config: Config, { simulated }: { simulated: boolean }): Promise<() => void> {
	const stops: (() => unknown)[] = [watchDeadlines(config.DEADLINE_CHECK_SECONDS * 1000, { city: config.ESCALATE_CITY_DAYS, province: config.ESCALATE_PROVINCE_DAYS }), followLog(config.LOG_POLL_SECONDS * 1000), keepSnapshots()];
	if (simulated) stops.push(await simulate(config.SIMULATE_PER_MINUTE));
	return () => stops.forEach((stop) => stop());
}
