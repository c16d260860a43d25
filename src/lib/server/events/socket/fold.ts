import type { LiveEvent } from '$lib/types/events';

type IndicatorsChanged = LiveEvent<'indicators.changed'>;

/**
 * Folds the `indicators.changed` of one `events` message: of each region, only the values of the
 * latest event that carries it are kept (a county moved twice, two counties of one city, every
 * county's province). An event keeps its envelope (seq, cause) with the regions left to it, and
 * goes when none is left; every other event stays as it is, in seq order. Folding runs on what
 * one receiver gets, after `shown` has cut it, so what it keeps is the latest that receiver may read.
 */
export function foldIndicators(events: LiveEvent[]): LiveEvent[] {
	if (events.filter((event) => event.type === 'indicators.changed').length < 2) return events;
	// regions whose values a later event of the message carries
	const later = new Set<string>();
	const folded: LiveEvent[] = [];
	for (let i = events.length - 1; i >= 0; i--) {
		const event = events[i];
		if (event.type !== 'indicators.changed') {
			folded.push(event);
			continue;
		}
		const changed = event as IndicatorsChanged;
		const regions = changed.payload.regions.filter((region) => !later.has(region.code));
		for (const region of changed.payload.regions) later.add(region.code);
		if (regions.length === changed.payload.regions.length) folded.push(event);
		else if (regions.length) folded.push({ ...changed, payload: { ...changed.payload, regions } });
	}
	return folded.reverse();
}
