import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { baseUrl, DEMO_PASSWORD } from './api';

export const SCREENSHOTS = 'test-results/screenshots';

/** Debian's Chromium, headless, kept off the network: nothing may leave localhost anyway. */
export async function launch(): Promise<Browser> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run']
	});
}

/** Every request a page makes that is not to the app itself. */
export function watchOutside(page: Page): string[] {
	const outside: string[] = [];
	const own = new URL(baseUrl()).origin;
	page.on('request', (request) => {
		const url = request.url();
		if (!url.startsWith(own) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
	});
	return outside;
}

export async function signIn(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
	await page.goto(`${baseUrl()}/login`, { waitUntil: 'networkidle' });
	await page.getByLabel('用户名').fill(username);
	await page.getByLabel('密码').fill(password);
	await page.getByRole('button', { name: '登录' }).click();
}

let pages = 0;

/** A page in its own context; the test server reads the client address from X-Forwarded-For. */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
	const context = await browser.newContext({ ...options, extraHTTPHeaders: { 'x-forwarded-for': `127.0.9.${++pages}` } });
	return context.newPage();
}

/**
 * Waits until the MapLibre map inside the element with `testid` draws at least `min` features of
 * `layer`. The predicate is a function, not a string: the app's CSP forbids eval, and Playwright
 * polls a string predicate with eval inside the page.
 */
export async function waitForRendered(page: Page, testid: string, layer: string, min = 1, timeout = 20_000): Promise<void> {
	await page.waitForFunction(
		([testid, layer, min]) => {
			const element = document.querySelector(`[data-testid="${testid}"]`) as unknown as { maplibre?: { queryRenderedFeatures(o: object): unknown[] } } | null;
			return (element?.maplibre?.queryRenderedFeatures({ layers: [layer] }).length ?? 0) >= Number(min);
		},
		[testid, layer, min] as const,
		{ timeout }
	);
}
