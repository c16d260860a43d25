import type { RegionIndicators } from '../indicators/queries';

/**
 * A FeatureCollection of regions as JSON text. Each geometry goes in as the text PostGIS wrote:
 * for a province's county polygons (~0.5 MB) parsing and re-serialising it took longer than
 * the query itself.
 */
export function regionFeatures(items: RegionIndicators[], head: Record<string, unknown>): string {
	const features = items.map(({ geometry, indicators, ...region }) => {
		const properties = { code: region.code, name: region.name, level: region.level, key: region.isKey, population: region.population, ...indicators };
		return `{"type":"Feature","id":${Number(region.code)},"geometry":${geometry ?? 'null'},"properties":${JSON.stringify(properties)}}`;
	});
	const fields = JSON.stringify({ type: 'FeatureCollection', ...head }).slice(0, -1);
	return `${fields},"features":[${features.join(',')}]}`;
}
