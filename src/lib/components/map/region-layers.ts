import type { FeatureCollection } from 'geojson';
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { IndicatorKey } from '$lib/indicators';
import { fillColor } from './scale';

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
}
