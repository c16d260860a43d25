// The pages under their Content-Security-Policy (svelte.config.js `kit.csp`): every main page of
// every role opens, draws its map, and the browser reports no violation and no script error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, baseUrl } from '../helpers/api';
import { launch, newPage, signIn } from '../helpers/browser';

/** What the browser objected to on `page`: CSP violations (as the page's own listener saw them), console errors about the policy, uncaught errors. */
function watchPolicy(page: Page): string[] {
	const problems: string[] = [];
	page.on('console', (message) => {
		if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
	});
	page.on('pageerror', (error) => problems.push(`error: ${error.message}`));
	return problems;
}

async function violations(page: Page): Promise<string[]> {
	return page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? []);
}

const MAPS: Record<string, string> = {
	'/': '[data-testid="region-map"][data-drawn="true"]',
	'/wall': '[data-testid="wall-map"][data-drawn="true"]',
	'/county/371424': '[data-testid="county-map"][data-drawn="true"]'
};

describe('the pages under their Content-Security-Policy', () => {
	let browser: Browser;
	let problem = 0;
	beforeAll(async () => {
		browser = await launch();
		const sql = appDatabase();
		[{ id: problem }] = await sql`select id from problem where county_code = '371424' order by id limit 1`;
		await sql.end();
	});
	afterAll(() => browser?.close());

	const visits: [string | null, string[]][] = [
		[null, ['/login']],
		['leader', ['/', '/wall', '/problems', '/problems/{problem}']],
		['officer-371424', ['/county/371424']],
		['dispatcher', ['/dispatch']],
		['inspector-1', ['/inspect']],
		['admin', ['/admin', '/admin/kiosk', '/admin/imports', '/admin/audit']]
	];

	for (const [who, paths] of visits) {
		it(`opens ${paths.join(', ')} as ${who ?? 'a visitor'} with no violation`, async () => {
			const page = await newPage(browser, { viewport: { width: 1400, height: 900 } });
			// listening from before the first script: a violation during start-up counts too
			await page.addInitScript(() => {
				const seen: string[] = [];
				(window as unknown as { violations: string[] }).violations = seen;
				document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
			});
			const problems = watchPolicy(page);
			if (who) {
				await signIn(page, who);
				await page.waitForURL((url) => url.pathname !== '/login');
			}
			for (const path of paths) {
				const response = await page.goto(`${baseUrl()}${path.replace('{problem}', String(problem))}`, { waitUntil: 'networkidle' });
				expect(response?.status(), path).toBeLessThan(400);
				expect(response?.headers()['content-security-policy'], path).toContain("frame-ancestors 'none'");
				if (MAPS[path]) await page.locator(MAPS[path]).waitFor({ timeout: 60_000 });
				// the map's worker and its first frames come after the load
				await page.waitForTimeout(500);
				expect([...(await violations(page)), ...problems], path).toEqual([]);
			}
			await page.close();
		});
	}

	it('would see a violation: an inline script the policy does not name is refused and reported', async () => {
		const page = await newPage(browser);
		await page.addInitScript(() => {
			const seen: string[] = [];
			(window as unknown as { violations: string[] }).violations = seen;
			document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
		});
		await page.goto(`${baseUrl()}/login`, { waitUntil: 'networkidle' });
		await page.evaluate(() => {
			const script = document.createElement('script');
			script.textContent = 'window.ran = true';
			document.body.append(script);
		});
		await page.waitForTimeout(200);
		expect(await page.evaluate(() => (window as unknown as { ran?: boolean }).ran)).toBeUndefined();
		expect(await violations(page)).toContain('script-src-elem');
		await page.close();
	});
});
