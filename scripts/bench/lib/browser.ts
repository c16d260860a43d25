import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { BenchContext } from './context';

export const VIEWPORT = { width: 1920, height: 1080 };

/** Debian's Chromium, headless, software rendering, kept off the network. */
export function launch(): Promise<Browser> {
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
	});
}

/** A page in a context of its own (so nothing is cached from an earlier load), signed in as `leader`. */
export async function openSignedIn(browser: Browser, ctx: BenchContext, options: BrowserContextOptions = {}): Promise<Page> {
	const context = await browser.newContext({ viewport: VIEWPORT, ...options });
	const [name, value] = ctx.cookies.leader().split('=');
	await context.addCookies([{ name, value, url: ctx.app.baseUrl }]);
	return context.newPage();
}
