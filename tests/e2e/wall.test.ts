import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, baseUrl, call, login, type Caller } from '../helpers/api';
import { launch, newPage, SCREENSHOTS, signIn, waitForRendered, watchOutside } from '../helpers/browser';

const sql = appDatabase();

/** The map's state as the page has it: feature-state of a county, rendered labels, source updates. */
const mapOf = `document.querySelector('[data-testid="wall-map"]').maplibre`;

async function openWall(page: Page, query: string): Promise<number> {
	const started = Date.now();
	await page.goto(`${baseUrl()}/wall?${query}`);
	await page.locator('[data-testid="wall-map"][data-drawn="true"]').waitFor({ timeout: 60_000 });
	return Date.now() - started;
}

async function signedInWall(browser: Browser, query: string, viewport = { width: 1920, height: 1080 }, options: { reducedMotion?: 'reduce' } = {}) {
	const page = await newPage(browser, { viewport, ...options });
	const outside = watchOutside(page);
	await signIn(page, 'leader');
	await page.waitForURL(`${baseUrl()}/`);
	const drawnMs = await openWall(page, query);
	return { page, outside, drawnMs };
}

/** A clinic meeting the standard but without a doctor, alone in its village: a doctor there closes a gap. */
async function gapClinic() {
	const [row] = await sql`
		select f.id, f.county_code from facility f join region v on v.code = f.region_code
		where f.kind = 'village_clinic' and f.standard_met and f.doctors = 0 and f.licensed_doctors = 0
			and v.exempt is null and v.province_code = '370000' and f.county_code not in ('371424', '371425', '371402')
			and not exists (select 1 from facility o where o.region_code = f.region_code and o.id <> f.id and o.kind = 'village_clinic')
		order by f.county_code desc, f.id limit 1`;
	return row as { id: string; county_code: string };
}

describe('the wall screen', () => {
	let browser: Browser;
	let dispatcher: Caller;
	beforeAll(async () => {
		browser = await launch();
		dispatcher = { cookie: await login('dispatcher', 'demo-password', '127.0.11.1') };
	});
	afterAll(async () => {
		await browser?.close();
		await sql.end();
	});

	it('draws the province from demo data: map, tiles, ranking, countdown and labels, with nothing from outside', async () => {
		const { page, outside, drawnMs } = await signedInWall(browser, 'tour=0');
		// in the page's own clock: from navigation start to the map's first complete frame
		console.log(`wall: map drawn ${await page.getByTestId('wall').getAttribute('data-drawn-ms')} ms after navigation (${drawnMs} ms as the driver saw it)`);
		await expect(page.locator('canvas.maplibregl-canvas').count()).resolves.toBe(1);
		// the header names the scope (the ticker may name it too, for events placed at the province)
		await expect(page.locator('header .scope').textContent()).resolves.toBe('山东省');
		const tiles = page.getByTestId('kpi-tiles').locator('article');
		await tiles.nth(9).waitFor({ timeout: 20_000 });
		await expect(tiles.count()).resolves.toBe(10);
		expect(await page.getByTestId('kpi-clinic_coverage').textContent()).toMatch(/村卫生室覆盖\s*\d+(\.\d)?%\s*目标 100\.0%/);
		// the ranking and the markers follow the map's shapes: wait for them, then count
		await page.getByTestId('ranking-bottom').locator('li').nth(4).waitFor({ timeout: 20_000 });
		await expect(page.getByTestId('ranking-top').locator('li').count()).resolves.toBe(5);
		await expect(page.getByTestId('ranking-bottom').locator('li').count()).resolves.toBe(5);
		await page.getByTestId('team-marker').nth(5).waitFor({ timeout: 20_000 });
		expect(await page.getByTestId('countdown').textContent()).toMatch(/距问题整改阶段结束\s*\d+\s*天\s*\d{2}:\d{2}:\d{2}/);
		await waitForRendered(page, 'wall-map', 'overdue-core');
		// a province-wide leader sees the flight-inspection teams, placed and with their status
		// the demo's six, and any other test file made in the province meanwhile: as many as the API lists
		const teams = await page.evaluate(async () => {
			const body = (await (await fetch('/api/teams?limit=1000')).json()) as { total: number; items: { lon: number | null; lat: number | null }[] };
			return { total: body.total, placed: body.items.filter((team) => team.lon !== null && team.lat !== null).length };
		});
		expect(teams.placed).toBeGreaterThanOrEqual(6);
		await expect(page.getByTestId('team-marker').count()).resolves.toBe(teams.placed);
		expect(await page.getByTestId('kpi-teams').textContent()).toMatch(new RegExp(`飞行检查组在外\\s*\\d+\\s*共 ${teams.total} 组`));
		// county names in Chinese, drawn by the map itself from the local font
		await waitForRendered(page, 'wall-map', 'county-labels');
		const labels = await page.evaluate(`${mapOf}.queryRenderedFeatures({ layers: ['county-labels'] }).map((f) => f.properties.label)`);
		expect((labels as string[]).some((label) => /[\u4e00-\u9fff]+(县|区|市)/.test(label))).toBe(true);
		await page.waitForTimeout(1_000);
		await page.screenshot({ path: `${SCREENSHOTS}/wall-1920x1080.png` });
		expect(outside).toEqual([]);
		await page.close();
	});

	it("takes an event posted through the API into the ticker, the tile and the county's colour, in place", async () => {
		// the decorative pulse stays still here: on a software-rendered, shared test machine each
		// redraw of the map costs the page's main thread more than a wall's GPU ever would
		const { page, outside } = await signedInWall(browser, 'tour=0&indicator=gaps', undefined, { reducedMotion: 'reduce' });
		let navigations = 0;
		page.on('framenavigated', (frame) => {
			if (frame === page.mainFrame()) navigations++;
		});
		await page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 30_000 });
		// count every reload of the county layer's data from here on: there must be none
		await page.evaluate(`(() => {
			const source = ${mapOf}.getSource('counties');
			const setData = source.setData.bind(source);
			window.countySetData = 0;
			source.setData = (data) => { window.countySetData++; return setData(data); };
		})()`);
		const clinic = await gapClinic();
		const county = (await call(`/api/regions/${clinic.county_code}`, dispatcher)).body;
		const gapsBefore = Number(await page.getByTestId('kpi-gaps').getAttribute('data-value'));
		// the page notes the moment each change shows, so the latency is the page's, not the test driver's
		await page.evaluate(
			({ code, gaps, tile }) => {
				const seen: Record<string, number> = {};
				(window as unknown as { seen: typeof seen }).seen = seen;
				type State = Record<string, unknown>;
				const map = (document.querySelector('[data-testid="wall-map"]') as unknown as { maplibre: { getFeatureState(f: object): State; setFeatureState(f: { id: string }, s: State): void } }).maplibre;
				// the flash is brief: note it as it is set rather than hoping to catch it
				const setFeatureState = map.setFeatureState.bind(map);
				map.setFeatureState = (feature, state) => {
					if (feature.id === code && state.flash === true) seen.flash = Date.now();
					return setFeatureState(feature, state);
				};
				// other test files post events at the same time, some perhaps in this county: note the
				// first change of each rather than one exact value
				const timer = setInterval(() => {
					const seq = (window as unknown as { postedSeq?: number }).postedSeq;
					const item = seq && !seen.ticker ? document.querySelector(`[data-testid="ticker"] li[data-seq="${seq}"]`) : null;
					if (item) {
						seen.ticker = Date.now();
						// what it said: newer events from other test files may push it off the ticker later
						(window as unknown as { tickerText: string }).tickerText = item.textContent ?? '';
					}
					const state = map.getFeatureState({ source: 'counties', id: code });
					if (!seen.county && typeof state.gaps === 'number' && state.gaps !== gaps) seen.county = Date.now();
					if (!seen.tile && Number(document.querySelector('[data-testid="kpi-gaps"]')?.getAttribute('data-value')) !== tile) seen.tile = Date.now();
					if (seen.ticker && seen.county && seen.tile) clearInterval(timer);
				}, 20);
			},
			{ code: clinic.county_code, gaps: county.indicators.gaps, tile: gapsBefore }
		);

		const sent = Date.now();
		const posted = await call('/api/events', {
			...dispatcher,
			method: 'POST',
			json: { type: 'facility.updated', payload: { facility: clinic.id, doctors: 1 } },
			headers: { 'idempotency-key': `wall-test-${clinic.id}` }
		});
		expect(posted.status).toBe(201);
		// from the server's acknowledgement, as the map's live test measures it
		const acknowledged = Date.now();
		await page.evaluate((seq) => ((window as unknown as { postedSeq: number }).postedSeq = seq), posted.body.seq);
		const arrived = await page
			.waitForFunction(() => {
				const seen = (window as unknown as { seen: Record<string, number> }).seen;
				return Boolean(seen.ticker && seen.county && seen.tile);
			}, null, { timeout: 10_000 })
			.then(() => true, () => false);
		const seen = (await page.evaluate('window.seen')) as Record<'ticker' | 'county' | 'tile' | 'flash', number>;
		if (!arrived) console.log(`wall: after 10 s the page had shown only ${JSON.stringify(seen)} of event ${posted.body.seq}; live status ${await page.getByTestId('live-status').getAttribute('data-status')} at ${await page.getByTestId('live-status').getAttribute('data-seq')}`);
		expect(Object.keys(seen).sort()).toEqual(['county', 'flash', 'ticker', 'tile']);
		const latency = { ticker: seen.ticker - acknowledged, county: seen.county - acknowledged, tile: seen.tile - acknowledged };
		console.log(
			`wall: POST acknowledged → ticker ${latency.ticker} ms, county feature-state ${latency.county} ms, tile ${latency.tile} ms (the POST itself took ${acknowledged - sent} ms)`
		);
		// the 2 s target is measured by `npm run bench -- --only wall`; here it only has to arrive live
		expect(seen.flash).toBeGreaterThanOrEqual(sent);
		expect(await page.evaluate('window.tickerText')).toContain('医疗机构更新');
		// the colour the map draws for the county comes from its new value, through feature-state:
		// once the server's figure has settled, the drawn county carries it
		const rendered = `${mapOf}.queryRenderedFeatures({ layers: ['counties-fill'] }).filter((f) => f.properties.code === '${clinic.county_code}').map((f) => f.state.gaps)`;
		const settled = async () => {
			const now = (await call(`/api/regions/${clinic.county_code}`, dispatcher)).body.indicators.gaps as number;
			const drawn = (await page.evaluate(rendered)) as number[];
			return drawn.length > 0 && drawn.every((gaps) => gaps === now) ? now : null;
		};
		await expect.poll(settled, { timeout: 10_000 }).not.toBeNull();
		expect(await page.evaluate('window.countySetData')).toBe(0);
		expect(navigations).toBe(0);
		await page.screenshot({ path: `${SCREENSHOTS}/wall-live.png` });
		expect(outside).toEqual([]);
		await page.close();
	});

	it('lays out the same wall at 3840×2160, twice the size', async () => {
		const { page, outside } = await signedInWall(browser, 'tour=0', { width: 3840, height: 2160 });
		await expect(page.evaluate('getComputedStyle(document.documentElement).fontSize')).resolves.toBe('32px');
		const box = await page.getByTestId('kpi-gaps').boundingBox();
		expect(box!.width).toBeGreaterThan(300);
		await page.waitForTimeout(1_500);
		await page.screenshot({ path: `${SCREENSHOTS}/wall-3840x2160.png` });
		expect(outside).toEqual([]);
		await page.close();
	});

	it("shows a city's kiosk its city, without a session and without teams", async () => {
		const admin = { cookie: await login('admin', 'demo-password', '127.0.11.2') };
		const token = await call('/api/kiosk-tokens', { ...admin, method: 'POST', json: { name: '德州市指挥大屏', region: '371400' } });
		expect(token.status).toBe(201);
		const page = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
		const outside = watchOutside(page);
		const asked: string[] = [];
		page.on('request', (request) => asked.push(new URL(request.url()).pathname));
		await openWall(page, `token=${token.body.token}&tour=0`);
		await expect(page.getByText('德州市', { exact: true }).count()).resolves.toBe(1);
		await page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 30_000 });
		const counties = await page.evaluate(`${mapOf}.queryRenderedFeatures({ layers: ['counties-fill'] }).map((f) => f.properties.code)`);
		expect(new Set(counties as string[]).size).toBe(11);
		expect((counties as string[]).every((code) => code.startsWith('3714'))).toBe(true);
		expect(asked).not.toContain('/api/teams');
		expect(asked.filter((path) => path.startsWith('/api/')).every((path) => !/37(0000|1500)/.test(path))).toBe(true);
		await page.screenshot({ path: `${SCREENSHOTS}/wall-kiosk-city.png` });
		expect(outside).toEqual([]);
		await page.close();
	});

	it('tours indicators and cities on its own, and switches to English', async () => {
		const { page } = await signedInWall(browser, 'tour=5');
		const atCity = await page.waitForFunction(
			() =>
				document.querySelector('[data-testid="wall"]')?.getAttribute('data-city') !== '' &&
				document.querySelector('[data-testid="tour-status"]')?.textContent,
			null,
			{ timeout: 40_000 }
		);
		expect(await atCity.jsonValue()).toMatch(/巡览 · \S+市/);
		// the next indicator is shown on the whole province: read both in the same moment, since
		// the tour may move on to a city before a second look
		const next = await page.waitForFunction(
			() => {
				const shown = document.querySelector('[data-testid="wall"]');
				const indicator = shown?.getAttribute('data-indicator');
				// an alert (another test's overdue problem, say) may hold a city on screen meanwhile
				return indicator && indicator !== 'clinic_coverage' && !shown!.getAttribute('data-alert') ? { indicator, city: shown!.getAttribute('data-city') } : null;
			},
			null,
			{ timeout: 40_000 }
		);
		expect((await next.jsonValue())?.city).toBe('');
		await page.getByTestId('language').click();
		await page.getByRole('heading', { level: 1, name: /Command Centre/ }).waitFor({ timeout: 10_000 });
		await expect(page.getByTestId('kpi-clinic_coverage').textContent()).resolves.toContain('Clinic coverage');
		await page.close();
	});

	it('breaks off its tour to show a problem that just turned overdue', async () => {
		const { page } = await signedInWall(browser, 'tour=60');
		await page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 30_000 });
		const [problem] = await sql`
			update problem set deadline = current_date - 1
			where id = (select id from problem where status <> 'closed' and not is_overdue and county_code like '37%'
				and county_code not in ('371424', '371425', '371402') order by id desc limit 1)
			returning code, county_code`;
		// the test server's deadline watcher checks every 5 s (DEADLINE_CHECK_SECONDS)
		const alert = page.getByTestId('wall-alert');
		await alert.and(page.locator('[data-type="problem.overdue"]')).filter({ hasText: problem.code }).waitFor({ timeout: 75_000 });
		expect(await alert.textContent()).toContain(problem.code);
		await page.waitForTimeout(3_000);
		await page.screenshot({ path: `${SCREENSHOTS}/wall-alert.png` });
		await page.close();
	}, 180_000);
});
