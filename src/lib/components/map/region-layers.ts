import type { FeatureCollection } from 'geojson';
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { IndicatorKey } from '$lib/indicators';
import { fillColor } from './scale';
import { bbox } from './geometry';

const none: FeatureCollection = { type: 'FeatureCollection', features: [] };

/**
 * How far, in tile pixels (of 512), each tile of region outlines reaches past its edge: enough
 * for the widest line drawn on them (the wall's glow at 4K), a quarter of MapLibre's default,
 * which is sized for labels and icons; the worker tiles the regions markedly faster.
 */
export const REGION_BUFFER = 32;

/** The map page's sources and layers: regions coloured by `indicator`, outlines over them, townships and villages as points. */
export function addRegionLayers(map: MapLibreMap, regions: FeatureCollection, outlines: FeatureCollection | undefined, indicator: IndicatorKey): void {
	map.addSource('regions', { type: 'geojson', data: regions, promoteId: 'code', buffer: REGION_BUFFER });
	map.addLayer({
		id: 'regions-fill',
		type: 'fill',
		source: 'regions',
		filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]],
		paint: { 'fill-color': fillColor(indicator), 'fill-opacity': 0.85 }
	});
	map.addLayer({
		id: 'regions-line',
		type: 'line',
		source: 'regions',
		// a region whose numbers just moved flashes
		paint: {
			'line-color': ['case', ['boolean', ['feature-state', 'flash'], false], '#fde047', '#0b1220'],
			'line-width': ['case', ['boolean', ['feature-state', 'flash'], false], 3, 0.6]
		}
	});
	map.addLayer({
		id: 'regions-key',
		type: 'line',
		source: 'regions',
		filter: ['==', ['get', 'key'], true],
		paint: { 'line-color': '#facc15', 'line-width': 1.6 }
	});
	map.addSource('outlines', { type: 'geojson', data: outlines ?? none, buffer: REGION_BUFFER });
	map.addLayer({ id: 'outlines-line', type: 'line', source: 'outlines', paint: { 'line-color': '#e2e8f0', 'line-width': 1.2 } });
	map.addLayer({
		id: 'regions-point',
		type: 'circle',
		source: 'regions',
		filter: ['in', ['geometry-type'], ['literal', ['Point', 'MultiPoint']]],
		paint: {
			'circle-color': fillColor(indicator),
			'circle-radius': 9,
			'circle-stroke-color': ['case', ['==', ['get', 'key'], true], '#facc15', '#0b1220'],
			'circle-stroke-width': 1.5
		}
	});
}

/** Other regions in the same sources: the map page's scope came back changed. */
export function setRegionData(map: MapLibreMap, regions: FeatureCollection, outlines: FeatureCollection | undefined): void {
	(map.getSource('regions') as GeoJSONSource).setData(regions);
	(map.getSource('outlines') as GeoJSONSource).setData(outlines ?? none);
	(map.getSource('region-labels') as GeoJSONSource | undefined)?.setData(labelPoints(regions));
}

/** One point per polygon region, in the middle of its box, carrying its name: the labels' source. */
export function labelPoints(regions: FeatureCollection): FeatureCollection {
	return {
		type: 'FeatureCollection',
		features: regions.features
			.filter((f) => f.geometry && f.geometry.type !== 'Point')
			.map((f) => {
				const [w, s, e, n] = bbox(f.geometry);
				return { type: 'Feature', geometry: { type: 'Point', coordinates: [(w + e) / 2, (s + n) / 2] }, properties: { name: f.properties?.name, key: f.properties?.key === true } };
			})
	};
}

/**
 * Region names over the map; MapLibre leaves out a name that would collide with another, so a
 * name shows from the zoom at which it fits. The style has no `glyphs`: the machine's CJK font draws them.
 */
export function addRegionLabels(map: MapLibreMap, regions: FeatureCollection): void {
	map.addSource('region-labels', { type: 'geojson', data: labelPoints(regions) });
	map.addLayer({
		id: 'region-labels',
		type: 'symbol',
		source: 'region-labels',
		layout: {
			'text-field': ['get', 'name'],
			'text-font': ['Noto Sans CJK SC', 'sans-serif'],
			'text-size': ['interpolate', ['linear'], ['zoom'], 5, 10, 8, 13, 10, 15],
			'text-allow-overlap': false,
			'text-padding': 3,
			'symbol-sort-key': ['case', ['get', 'key'], 0, 1]
		},
		paint: { 'text-color': ['case', ['get', 'key'], '#fde68a', '#e2e8f0'], 'text-halo-color': '#0b1220', 'text-halo-width': 1.4 }
	});
}
