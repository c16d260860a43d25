import type { WallCounty } from '$lib/types/wall';

export interface Silence {
	code: string;
	name: string;
	/** how long the county has been silent; Infinity when it never reported and nothing says since when */
	silentMs: number;
	reported: boolean;
}

/**
 * Counties silent for longer than `limitMs`, longest first. A county that never reported counts
 * from `watchedSince` (when the data was loaded): a county that stops reporting is a problem itself.
 */
export function silentCounties(counties: WallCounty[], lastEventAt: Record<string, string | null>, watchedSince: string | null, limitMs: number, now: number): Silence[] {
	const since = watchedSince ? Date.parse(watchedSince) : null;
	return counties
		.map((county) => {
			const last = lastEventAt[county.code] ?? county.lastEventAt;
			const from = last ? Date.parse(last) : since;
			return { code: county.code, name: county.name, silentMs: from === null ? Infinity : now - from, reported: last !== null };
		})
		.filter((entry) => entry.silentMs > limitMs)
		.sort((a, b) => b.silentMs - a.silentMs);
}
