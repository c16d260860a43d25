import type { ExpressionSpecification } from 'maplibre-gl';
import { INDICATORS, type IndicatorKey } from '$lib/indicators';

export interface LegendStep {
	color: string;
	label: string;
}

export const NO_DATA = '#3b4252';
const GOOD = '#1a9850';
const NEAR = '#a6d96a';
const SHORT = '#fdae61';
const BAD = '#d73027';

/** Class breaks per indicator: rates against their target, counts against zero. */
function breaks(key: IndicatorKey): { stops: [number, string][]; first: string; labels: string[] } {
	const def = INDICATORS[key];
	if (def.kind === 'rate') {
		const target = def.target ?? 1;
		return {
			first: BAD,
			stops: [[target - 0.05, SHORT], [target - 0.02, NEAR], [target - 1e-9, GOOD]],
			labels: [`< ${pct(target - 0.05)}`, `${pct(target - 0.05)}–${pct(target - 0.02)}`, `${pct(target - 0.02)}–${pct(target)}`, `达标 ≥ ${pct(target)}`]
		};
	}
	if (def.kind === 'count') {
		return { first: GOOD, stops: [[1, NEAR], [3, SHORT], [10, BAD]], labels: ['0', '1–2', '3–9', '≥ 10'] };
	}
	return { first: BAD, stops: [[80, SHORT], [90, NEAR], [95, GOOD]], labels: ['< 80', '80–90', '90–95', '≥ 95'] };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * A MapLibre colour expression for the indicator, grey where the region has no value. A value
 * pushed live into the feature's state wins over the one the features were loaded with.
 */
export function fillColor(key: IndicatorKey): ExpressionSpecification {
	const { first, stops } = breaks(key);
	const value: ExpressionSpecification = ['coalesce', ['feature-state', key], ['get', key]];
	return ['case', ['==', value, null], NO_DATA, ['step', ['to-number', value], first, ...stops.flat()]] as ExpressionSpecification;
}

/** The colour `fillColor` gives a value: for tiles and lists beside the map, so they agree with it. */
export function colorFor(key: IndicatorKey, value: number | null | undefined): string {
	if (value === null || value === undefined) return NO_DATA;
	const { first, stops } = breaks(key);
	let color = first;
	for (const [from, next] of stops) if (value >= from) color = next;
	return color;
}

export function legend(key: IndicatorKey, words: { met: string; noData: string } = { met: '达标', noData: '无数据' }): LegendStep[] {
	const { first, stops, labels } = breaks(key);
	const colors = [first, ...stops.map(([, color]) => color)];
	return colors
		.map((color, i) => ({ color, label: labels[i].replace('达标', words.met) }))
		.concat({ color: NO_DATA, label: words.noData });
}
