/** The colours of the dispatch priority: the first ten counties red, then orange, yellow, the rest in the map's blue. */
export const PRIORITY_STEPS = [
	{ from: 1, to: 10, color: '#dc2626' },
	{ from: 11, to: 30, color: '#f97316' },
	{ from: 31, to: 60, color: '#facc15' },
	{ from: 61, to: null, color: '#335079' }
] as const;

/** A county held back (inspected recently, or a team there now). */
export const HELD_COLOR = '#1f2a3d';

/** The colour the map gives a rank: for the list beside it, so they agree. */
export function priorityColor(rank: number, held: boolean): string {
	if (held) return HELD_COLOR;
	let color: string = PRIORITY_STEPS[0].color;
	for (const step of PRIORITY_STEPS) if (rank >= step.from) color = step.color;
	return color;
}
