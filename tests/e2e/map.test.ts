import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { baseUrl } from '../helpers/api';
import { launch, newPage, SCREENSHOTS, signIn, watchOutside } from '../helpers/browser';

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

	it('shows a county officer only their county, as its townships', async () => {
		const page = await newPage(browser, { viewport: { width: 1280, height: 800 } });
		const outside = watchOutside(page);
		const answers: string[] = [];
		page.on('response', (response) => answers.push(new URL(response.url()).pathname));
		await signIn(page, 'officer-371424');
		await page.getByTestId('region-map').and(page.locator('[data-drawn="true"]')).waitFor({ timeout: 30_000 });
		await expect(page.getByText('临邑县', { exact: true }).count()).resolves.toBe(1);
		expect(answers).toContain('/api/regions/371424/children');
		expect(answers.some((path) => path.startsWith('/api/regions/37') && !path.startsWith('/api/regions/371424'))).toBe(false);
		await page.screenshot({ path: `${SCREENSHOTS}/map-county.png` });
		expect(outside).toEqual([]);
		await page.close();
	});

	it('tells an inspector, who has no region, why there is no map instead of looping', async () => {
		const page = await newPage(browser);
		await signIn(page, 'inspector-1');
		await page.getByRole('heading', { name: '403' }).waitFor({ timeout: 10_000 });
		await expect(page.getByText('该账号没有地区范围').count()).resolves.toBe(1);
		expect(new URL(page.url()).pathname).toBe('/');
		await page.close();
	});
});
