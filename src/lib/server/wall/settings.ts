import { loadConfig, type Config } from '../config';

let cached: Config | undefined;

/** The wall's configuration, read from the environment that boot has already checked. */
export function wallSettings(): Pick<Config, 'WALL_STALE_MINUTES' | 'WALL_TOUR_SECONDS' | 'CAMPAIGN_START'> {
	cached ??= loadConfig(process.env);
	return cached;
}
