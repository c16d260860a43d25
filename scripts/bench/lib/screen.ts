import type { Page } from 'playwright-core';

export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

/**
 * Frames of one part of the page, straight from the compositor (JPEG: a PNG screenshot of the
 * whole page takes most of a second here). Equal pixels give equal bytes.
 */
export async function frames(page: Page, clip: Box): Promise<() => Promise<Buffer>> {
	const cdp = await page.context().newCDPSession(page);
	return async () =>
		Buffer.from(
			(await cdp.send('Page.captureScreenshot', { format: 'jpeg', quality: 90, optimizeForSpeed: true, clip: { ...clip, scale: 1 } } as never)).data,
			'base64'
		);
}

/** Where a region's bounding box [west, south, east, north] is on the page, within its map. */
export async function boxOnMap(page: Page, map: string, bbox: number[]): Promise<Box> {
	const mapBox = (await page.locator(map).boundingBox())!;
	const [x0, y0, x1, y1] = (await page.evaluate(
		({ map, bbox }) => {
			type Projecting = { project(p: [number, number]): { x: number; y: number } };
			const maplibre = (document.querySelector(map) as unknown as { maplibre: Projecting }).maplibre;
			const a = maplibre.project([bbox[0], bbox[3]]);
			const b = maplibre.project([bbox[2], bbox[1]]);
			return [a.x, a.y, b.x, b.y];
		},
		{ map, bbox }
	)) as number[];
	const left = Math.max(0, Math.floor(x0));
	const top = Math.max(0, Math.floor(y0));
	const right = Math.min(mapBox.width, Math.ceil(x1));
	const bottom = Math.min(mapBox.height, Math.ceil(y1));
	return { x: mapBox.x + left, y: mapBox.y + top, width: right - left, height: bottom - top };
}
