import type { FeatureCollection, Geometry } from 'geojson';

export type Bbox = [west: number, south: number, east: number, north: number];

/** The bounding box of a geometry or a whole collection. */
export function bbox(input: FeatureCollection | Geometry | null | undefined): Bbox {
	let [w, s, e, n] = [180, 90, -180, -90];
	const visit = (c: unknown): void => {
		if (typeof (c as number[])[0] === 'number') {
			const [x, y] = c as number[];
			[w, s, e, n] = [Math.min(w, x), Math.min(s, y), Math.max(e, x), Math.max(n, y)];
		} else (c as unknown[]).forEach(visit);
	};
	const geometries = !input ? [] : input.type === 'FeatureCollection' ? input.features.map((f) => f.geometry) : [input];
	for (const geometry of geometries) if (geometry && 'coordinates' in geometry) visit(geometry.coordinates);
	return [w, s, e, n];
}

export const intersects = (a: Bbox, b: Bbox) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
