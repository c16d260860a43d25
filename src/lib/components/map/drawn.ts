import type { Map as MapLibreMap } from 'maplibre-gl';

/** The canvas's resolution, against the screen's, while the regions load. */
const LOADING_PIXEL_RATIO = 0.1;

/** The paint properties that, all 0, make MapLibre skip drawing a layer. */
const OPACITY: Record<string, string[]> = {
	background: ['background-opacity'],
	fill: ['fill-opacity'],
	line: ['line-opacity'],
	circle: ['circle-opacity', 'circle-stroke-opacity'],
	symbol: ['text-opacity', 'icon-opacity']
};

/**
 * Shows the map once every tile of `sources` is loaded, drawn whole, and calls `drawn` once the
 * browser has put that frame on screen (the animation frame after it). Returns a function that
 * stops waiting.
 *
 * Without a GPU (a software-rendered wall, headless Chromium) a frame of the map costs the
 * machine a few hundred milliseconds of CPU, and MapLibre paints one as each tile arrives: the
 * partial frames took the CPU from the worker tiling the regions, and put the first full map a
 * second later. Until the regions are in, the canvas is hidden, at a tenth of the screen's
 * resolution, and every layer is transparent (MapLibre then skips it): those frames cost next to
 * nothing. MapLibre's `idle` would not do as the signal: it also waits for labels, markers and
 * any animation, and an empty style is idle at once.
 */
export function revealWhenDrawn(map: MapLibreMap, sources: string[], drawn: () => void): () => void {
	const canvas = map.getCanvas();
	canvas.style.visibility = 'hidden';
	map.setPixelRatio(LOADING_PIXEL_RATIO);
	// each layer's own opacities, put back once the regions are in
	const muted = new Map<string, [string, unknown][]>();
	const mute = () => {
		for (const layer of map.getStyle()?.layers ?? []) {
			if (muted.has(layer.id) || !(layer.type in OPACITY)) continue;
			muted.set(layer.id, OPACITY[layer.type].map((name) => [name, map.getPaintProperty(layer.id, name)]));
			for (const name of OPACITY[layer.type]) map.setPaintProperty(layer.id, name, 0);
		}
	};
	let whole = false;
	let frame: number | undefined;
	const check = () => {
		if (!sources.every((id) => map.getSource(id) && map.isSourceLoaded(id))) return;
		if (!whole) {
			whole = true;
			map.off('styledata', mute);
			for (const [id, paints] of muted) if (map.getLayer(id)) for (const [name, value] of paints) map.setPaintProperty(id, name, value);
			// null: the screen's own ratio again, as MapLibre documents
			map.setPixelRatio(null as unknown as number);
			map.triggerRepaint();
			return;
		}
		// this frame painted every tile of the regions, opaque, at full resolution
		map.off('render', check);
		canvas.style.visibility = '';
		frame = requestAnimationFrame(() => drawn());
	};
	map.on('styledata', mute);
	map.on('render', check);
	return () => {
		map.off('styledata', mute);
		map.off('render', check);
		if (frame !== undefined) cancelAnimationFrame(frame);
	};
}
