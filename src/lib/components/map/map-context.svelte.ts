import { getContext, setContext } from 'svelte';
import type { LngLatBoundsLike, Map as MapLibreMap } from 'maplibre-gl';

/** The map shared by the layer components inside a map frame (one component per map concept). */
export class MapContext {
	map: MapLibreMap | undefined = $state();
	loaded = $state(false);
	/** size of the screen against 1920 px wide: symbol and marker sizes follow it */
	scale = $state(1);

	fit(bounds: LngLatBoundsLike, { duration = 2500, padding = 40, maxZoom }: { duration?: number; padding?: number; maxZoom?: number } = {}): void {
		this.map?.fitBounds(bounds, { padding: padding * this.scale, duration, maxZoom, essential: true });
	}
}

const KEY = Symbol('map');

export const provideMap = (context: MapContext) => setContext(KEY, context);
export const useMap = () => getContext<MapContext>(KEY);
