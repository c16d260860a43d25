import type { BrowserContextOptions, Page } from 'playwright-core';

/**
 * A page that draws the live county map, as the wall phase measures it. Its map element has
 * `data-loaded` once MapLibre has loaded its style, `data-drawn` once every source of the first
 * view is rendered, and its MapLibre instance as `.maplibre`. Another map page is measured by
 * adding it here.
 */
export interface MapPage {
	/** the path the rows name */
	path: string;
	/** the map's element */
	map: string;
	/** the URL opened for the first draw */
	url: string;
	/** where the page asks for the regions it draws (their answers are a step of the breakdown) */
	data: RegExp;
	/** the map's sources of regions: each must be in and loaded when the map says it is drawn */
	sources: string[];
	/** the page showing the `gaps` indicator, settled, for the colour change */
	gaps: { url: string; context?: BrowserContextOptions; show?: (page: Page) => Promise<void> };
}

export const MAP_PAGES: MapPage[] = [
	{
		path: '/',
		map: '[data-testid="region-map"]',
		url: '/',
		data: /\/api\/regions\//,
		sources: ['regions', 'outlines'],
		gaps: { url: '/', show: (page) => page.getByLabel('指标').selectOption('gaps').then(() => {}) }
	},
	{
		path: '/wall',
		map: '[data-testid="wall-map"]',
		// the tour stays put, as a wall whose tour is off
		url: '/wall?tour=0',
		data: /\/api\/(regions\/\d+(\/children)?|wall)(\?|$)/,
		// county names, overdue problems and teams may follow
		sources: ['counties', 'cities', 'outline'],
		// the overdue problems' pulse stands still (as on a wall set to reduced motion): the only
		// pixels that move are then the ones the event moves
		gaps: { url: '/wall?tour=0&indicator=gaps', context: { reducedMotion: 'reduce' } }
	}
];
