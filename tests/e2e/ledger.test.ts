import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, baseUrl, call, login, type Caller } from '../helpers/api';
import { launch, newPage, SCREENSHOTS, signIn, watchOutside } from '../helpers/browser';
import { addDays, dayOf } from '../../src/lib/days';

const sql = appDatabase();
const mapOf = `document.querySelector('[data-testid="wall-map"]').maplibre`;
// a 1×1 PNG: the photo of the rectified clinic
const PHOTO = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273ea80000000049454e44ae426082', 'hex');

async function signedIn(browser: Browser, username: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
	const page = await newPage(browser, { viewport, reducedMotion: 'reduce' });
	await signIn(page, username);
	await page.waitForURL((url) => url.pathname !== '/login');
	await page.waitForLoadState('networkidle');
	return page;
}

describe('the problem ledger in the browser', () => {
	let browser: Browser;
	let dispatcher: Caller;
	let officer: Caller;
	let problem = 0;

	beforeAll(async () => {
		browser = await launch();
		dispatcher = { cookie: await login('dispatcher', 'demo-password', '127.0.12.1') };
		officer = { cookie: await login('officer-371424', 'demo-password', '127.0.12.2') };
		// an item of 临邑县 past its deadline, under rectification
		const created = await call('/api/problems', {
			...dispatcher,
			method: 'POST',
			json: { region: '371424', category: 'clinic', source: 'inspection', description: '浏览器测试：村卫生室未按标准设置诊室', deadline: addDays(dayOf(), 10), responsible_unit: '临邑县卫生健康局', responsible_leader: '王副县长' }
		});
		expect(created.status).toBe(201);
		problem = created.body.id;
		await sql`update problem set found_on = current_date - 20, deadline = current_date - 2 where id = ${problem}`;
		// the watcher marks it overdue through the event path (DEADLINE_CHECK_SECONDS=5 on the test server)
		for (let tries = 0; !(await sql`select is_overdue from problem where id = ${problem}`)[0].is_overdue; tries++) {
			if (tries > 100) throw new Error('the deadline watcher did not mark the problem overdue');
			await new Promise((r) => setTimeout(r, 200));
		}
		expect((await call(`/api/problems/${problem}`, { ...officer, method: 'PATCH', json: { status: 'rectifying', note: '已制定整改方案' } })).status).toBe(200);
	});
	afterAll(async () => {
		await browser?.close();
		await sql.end();
	});

	it('a county officer submits with a photo, the dispatcher closes it, and the wall follows live', async () => {
		const wall = await signedIn(browser, 'leader');
		const outside = watchOutside(wall);
		await wall.goto(`${baseUrl()}/wall?tour=0&indicator=rectification_rate`);
		await wall.locator('[data-testid="wall-map"][data-drawn="true"]').waitFor({ timeout: 60_000 });
		await wall.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 30_000 });
		let navigations = 0;
		wall.on('framenavigated', (frame) => {
			if (frame === wall.mainFrame()) navigations++;
		});
		const tileBefore = (await wall.getByTestId('kpi-problems').textContent())!;
		const before = (await call('/api/regions/371424', dispatcher)).body.indicators.rectification_rate;
		// the page notes the first change of the tile and of the county's colour, and any reload of the county layer
		await wall.evaluate(
			({ tile, rate }) => {
				const w = window as unknown as { seen: Record<string, number>; countySetData: number };
				w.seen = {};
				const map = (document.querySelector('[data-testid="wall-map"]') as unknown as { maplibre: any }).maplibre;
				const source = map.getSource('counties');
				const setData = source.setData.bind(source);
				w.countySetData = 0;
				source.setData = (data: unknown) => {
					w.countySetData++;
					return setData(data);
				};
				const timer = setInterval(() => {
					const state = map.getFeatureState({ source: 'counties', id: '371424' });
					if (!w.seen.county && typeof state.rectification_rate === 'number' && state.rectification_rate > rate) w.seen.county = Date.now();
					if (!w.seen.tile && document.querySelector('[data-testid="kpi-problems"]')?.textContent !== tile) w.seen.tile = Date.now();
					if (w.seen.county && w.seen.tile) clearInterval(timer);
				}, 20);
			},
			{ tile: tileBefore, rate: before }
		);

		// the county office: 整改完成，提交核查, with a photo
		const county = await signedIn(browser, 'officer-371424');
		expect(new URL(county.url()).pathname).toBe('/county/371424');
		await county.goto(`${baseUrl()}/problems/${problem}`);
		const submit = county.getByTestId('move-rectifying-submitted');
		await submit.waitFor();
		// the server's field error shows next to the field: no evidence yet
		await submit.getByLabel('办理说明').fill('已按标准设置诊室、治疗室、药房');
		await submit.getByRole('button', { name: '整改完成，提交核查' }).click();
		await submit.getByRole('alert').filter({ hasText: '佐证材料' }).waitFor();
		await submit.getByTestId('move-rectifying-submitted-file').setInputFiles({ name: '整改后诊室.png', mimeType: 'image/png', buffer: PHOTO });
		await submit.getByRole('checkbox', { name: '整改后诊室.png' }).and(county.locator(':checked')).waitFor();
		await submit.getByRole('button', { name: '整改完成，提交核查' }).click();
		await county.locator('[data-testid="problem-detail"][data-status="submitted"]').waitFor({ timeout: 15_000 });
		await expect(county.getByTestId('timeline').textContent()).resolves.toContain('整改后诊室.png');
		// the county cannot close its own item
		await expect(county.getByTestId('move-submitted-closed').count()).resolves.toBe(0);

		// the dispatcher: 核查通过，销号
		const checker = await signedIn(browser, 'dispatcher');
		await checker.goto(`${baseUrl()}/problems/${problem}`);
		const close = checker.getByTestId('move-submitted-closed');
		await close.getByLabel('办理说明').fill('现场核查属实');
		const closedAt = Date.now();
		await close.getByRole('button', { name: '核查通过，销号' }).click();
		await checker.locator('[data-testid="problem-detail"][data-status="closed"]').waitFor({ timeout: 15_000 });
		// the county's own page took the move live too
		await county.locator('[data-testid="problem-detail"][data-status="closed"]').waitFor({ timeout: 15_000 });

		await wall.waitForFunction(() => {
			const seen = (window as unknown as { seen: Record<string, number> }).seen;
			return Boolean(seen.county && seen.tile);
		}, null, { timeout: 15_000 });
		const seen = (await wall.evaluate('window.seen')) as Record<string, number>;
		console.log(`ledger: wall tile ${seen.tile - closedAt} ms, county colour ${seen.county - closedAt} ms after the dispatcher clicked`);
		expect(navigations).toBe(0);
		expect(await wall.evaluate('window.countySetData')).toBe(0);
		const [row] = await sql`select status, is_overdue, escalation from problem where id = ${problem}`;
		expect(row).toMatchObject({ status: 'closed', escalation: null });
		expect(outside).toEqual([]);
		for (const page of [wall, county, checker]) await page.close();
	});

	it('shows /county/371424, /problems and /problems/{id} at 1920×1080 (screenshots)', async () => {
		const county = await signedIn(browser, 'officer-371424');
		await county.locator('[data-testid="county-map"][data-drawn="true"]').waitFor({ timeout: 30_000 });
		await expect(county.getByTestId('county-problems').locator('li').count()).resolves.toBeGreaterThan(0);
		// a county office sees no figure of its city or province
		await expect(county.getByText('全市').count()).resolves.toBe(0);
		await county.screenshot({ path: `${SCREENSHOTS}/county-371424.png` });
		await county.close();

		const ledger = await signedIn(browser, 'dispatcher');
		await ledger.goto(`${baseUrl()}/problems?region=371400&sort=-deadline`);
		await ledger.getByTestId('ledger-table').waitFor();
		await expect(ledger.getByTestId('ledger-summary').locator('tbody tr').count()).resolves.toBeGreaterThan(5);
		await ledger.screenshot({ path: `${SCREENSHOTS}/problems.png` });
		await ledger.goto(`${baseUrl()}/problems/${problem}`);
		await ledger.locator('[data-testid="place-map"][data-drawn="true"]').waitFor({ timeout: 30_000 });
		await ledger.getByTestId('supervision-slot').waitFor();
		await ledger.screenshot({ path: `${SCREENSHOTS}/problem-detail.png` });
		await ledger.close();
	});

	it('keeps the filters in the URL, sorts by a column and switches to English', async () => {
		const page = await signedIn(browser, 'dispatcher');
		await page.goto(`${baseUrl()}/problems?region=371424`);
		await page.getByRole('checkbox', { name: '已销号' }).check();
		await page.getByRole('button', { name: '筛选' }).click();
		await page.waitForURL(/status=closed/);
		const statuses = await page.locator('[data-testid="ledger-table"] [data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
		expect(statuses.length).toBeGreaterThan(0);
		for (const status of statuses) expect(status).toBe('closed');
		await page.getByRole('link', { name: '整改期限' }).click();
		await page.waitForURL(/sort=deadline/);
		await page.getByTestId('language').click();
		await page.getByRole('heading', { name: /Problem ledger/ }).waitFor();
		await page.getByTestId('language').click();
		await page.getByRole('heading', { name: /问题台账/ }).waitFor();
		await page.close();
	});

	it('fits the header of a phone (390 px) and answers an unknown page in the viewer’s language', async () => {
		const page = await signedIn(browser, 'officer-371424', { width: 390, height: 844 });
		await page.getByTestId('county-page').waitFor();
		// nothing wider than the screen, the header least of all
		const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 391).map((e) => e.tagName + '.' + e.className).slice(0, 5));
		expect(wide).toEqual([]);
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		const header = await page.getByTestId('app-shell').boundingBox();
		expect(header!.width).toBeLessThanOrEqual(390);
		await page.goto(`${baseUrl()}/no-such-page`);
		await page.getByTestId('error-page').waitFor();
		await expect(page.getByRole('heading').first().textContent()).resolves.toBe('没有找到该页面');
		await expect(page.getByRole('link', { name: '返回我的首页' }).getAttribute('href')).resolves.toBe('/county/371424');
		await page.screenshot({ path: `${SCREENSHOTS}/phone-404.png` });
		await page.close();
	});
});
