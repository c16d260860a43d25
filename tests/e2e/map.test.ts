import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { baseUrl } from '../helpers/api';
import { launch, newPage, SCREENSHOTS, signIn, waitForRendered, watchOutside } from '../helpers/browser';

describe('the province map', () => {
	let browser: Browser;
	beforeAll(async () => {
		browser = await launch();
	});
	afterAll(() => browser?.close());

	it('sends a visitor to the login page, and refuses a wrong password in Chinese', async () => {
		const page = await newPage(browser);
		await page.goto(baseUrl());
		expect(new URL(page.url()).pathname).toBe('/login');
		await signIn(page, 'leader', 'wrong password');
		await expect(page.getByRole('alert').textContent()).resolves.toContain('用户名或密码错误');
		await page.close();
	});

	it("draws a leader's province as real county shapes coloured by an indicator, with nothing from outside", async () => {
		const page = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
		const outside = watchOutside(page);
		await signIn(page, 'leader');
		await page.waitForURL(`${baseUrl()}/`);
		await page.getByTestId('region-map').and(page.locator('[data-drawn="true"]')).waitFor({ timeout: 30_000 });
		await expect(page.locator('canvas.maplibregl-canvas').count()).resolves.toBe(1);
		await expect(page.getByText('山东省', { exact: true }).count()).resolves.toBe(1);

		// a county under the pointer tells its name and every indicator
		await page.mouse.move(650, 500);
		await page.mouse.move(700, 520, { steps: 5 });
		const info = page.getByTestId('hover-info');
		await info.waitFor({ timeout: 5_000 });
		expect(await info.textContent()).toMatch(/村卫生室覆盖率[\s\S]*综合得分/);

		await page.getByLabel('指标').selectOption('gaps');
		await expect(page.getByRole('complementary', { name: '图例' }).textContent()).resolves.toContain('空白点数');
		await page.waitForTimeout(500);
		await page.screenshot({ path: `${SCREENSHOTS}/map-province.png` });
		expect(outside).toEqual([]);
		await page.close();
	});

	it('lands a county officer on their county, drawn from their county alone', async () => {
		const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
		const outside = watchOutside(page);
		const answers: string[] = [];
		page.on('response', (response) => answers.push(new URL(response.url()).pathname));
		await signIn(page, 'officer-371424');
		await page.waitForURL(`${baseUrl()}/county/371424`);
		await page.locator('[data-testid="county-map"][data-drawn="true"]').waitFor({ timeout: 30_000 });
		await expect(page.getByRole('heading', { name: '临邑县工作台' }).count()).resolves.toBe(1);
		expect(answers).toContain('/api/regions/371424/children');
		expect(answers.some((path) => path.startsWith('/api/regions/37') && !path.startsWith('/api/regions/371424'))).toBe(false);
		// the map of the province is not theirs: it sends them back to their county
		await page.goto(baseUrl());
		await page.waitForURL(`${baseUrl()}/county/371424`);
		await page.screenshot({ path: `${SCREENSHOTS}/map-county.png` });
		expect(outside).toEqual([]);
		await page.close();
	});

	it('lands an inspector, who has no region, on the assignment page, and never loops', async () => {
		const page = await newPage(browser);
		await signIn(page, 'inspector-1');
		await page.waitForURL(`${baseUrl()}/inspect`);
		await page.goto(baseUrl());
		await page.waitForURL(`${baseUrl()}/inspect`);
		// until the assignment page exists, an answer in Chinese with a way out that is not itself
		const error = page.getByTestId('error-page');
		if (await error.count()) {
			await expect(error.getByRole('link', { name: '返回我的首页' }).count()).resolves.toBe(0);
			await expect(error.getByRole('button', { name: '退出' }).count()).resolves.toBe(1);
		}
		await page.close();
	});

	it('drills down from the province to a city and then to a county', async () => {
		const page = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
		await signIn(page, 'leader');
		await page.waitForURL(`${baseUrl()}/`);
		await page.getByTestId('region-map').and(page.locator('[data-drawn="true"]')).waitFor({ timeout: 30_000 });
		const mapOf = `document.querySelector('[data-testid="region-map"]').maplibre`;
		// county names where they fit, from the local font
		await waitForRendered(page, 'region-map', 'region-labels', 21);
		// where a county's label sits on the screen now
		const at = async (name: string) =>
			(await page.evaluate(`(() => {
				const map = ${mapOf};
				const f = map.querySourceFeatures('region-labels').find((f) => f.properties.name === ${JSON.stringify(name)});
				const p = map.project(f.geometry.coordinates);
				return { x: p.x, y: p.y };
			})()`)) as { x: number; y: number };
		const map = (await page.getByTestId('region-map').boundingBox())!;
		let point = await at('临邑县');
		await page.mouse.click(map.x + point.x, map.y + point.y);
		await page.getByTestId('drill-city').filter({ hasText: '德州市' }).waitFor();
		// the hover panel stays inside the map, however near its edge the pointer is
		await page.mouse.move(map.x + map.width - 3, map.y + map.height / 2, { steps: 4 });
		await page.waitForTimeout(900);
		point = await at('临邑县');
		await page.mouse.move(map.x + point.x, map.y + point.y, { steps: 3 });
		const info = page.getByTestId('hover-info');
		await info.waitFor();
		const box = (await info.boundingBox())!;
		expect(box.x + box.width).toBeLessThanOrEqual(map.x + map.width);
		expect(box.y + box.height).toBeLessThanOrEqual(map.y + map.height);
		await page.mouse.click(map.x + point.x, map.y + point.y);
		await page.waitForURL(`${baseUrl()}/county/371424`);
		await page.close();
	});
});
