// The dispatch story in Chromium, on 甘肃 (620000) demo data with accounts of this file's own:
// a dispatcher sends a team from /dispatch; the inspector's phone shows it, reports findings
// with the network cut, and they are delivered once the connection returns (also after the
// page was closed and opened again); each shows on the walls within 2 s of its delivery; the
// target county's own session, open the whole time, heard nothing of the assignment before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { appDatabase, baseUrl, call, login, type Caller } from '../helpers/api';
import { ACCOUNT_PASSWORD, createAccount } from '../helpers/accounts';
import { launch, SCREENSHOTS, signIn, watchOutside } from '../helpers/browser';

const sql = appDatabase();
const tag = Math.random().toString(36).slice(2, 7);
const COUNTY = '620123'; // 榆中县
const names = { dispatcher: `disp-e2e-${tag}`, officer: `off-yz-${tag}`, inspector: `insp-e2e-${tag}`, leader: `lead-gs-${tag}` };
const teamName = `榆中暗访组${tag}`;

interface Frame {
	at: number;
	text: string;
}

/** Every websocket frame a page receives, with when. */
function recordFrames(page: Page): Frame[] {
	const frames: Frame[] = [];
	page.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push({ at: Date.now(), text: String(frame.payload) })));
	return frames;
}

async function signedIn(browser: Browser, username: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ ...options, extraHTTPHeaders: { 'x-forwarded-for': `127.0.42.${Math.floor(Math.random() * 250)}` } });
	const page = await context.newPage();
	await signIn(page, username, ACCOUNT_PASSWORD);
	await page.waitForURL((url) => !url.pathname.startsWith('/login'));
	return { context, page };
}

/**
 * Notes in the page itself when each event first shows in its wall's ticker (a test driver
 * polling a busy page would add its own delay to the figure).
 */
async function watchTicker(page: Page): Promise<void> {
	await page.evaluate(() => {
		const seen: Record<string, number> = {};
		(window as unknown as { tickerSeen: typeof seen }).tickerSeen = seen;
		const note = () => {
			for (const li of document.querySelectorAll('[data-testid="ticker"] li[data-seq]')) seen[(li as HTMLElement).dataset.seq!] ??= Date.now();
		};
		new MutationObserver(note).observe(document.body, { childList: true, subtree: true });
		note();
	});
}

/** Notes in the page when each ledger row first shows (`data-problem`). */
async function watchLedger(page: Page): Promise<void> {
	await page.evaluate(() => {
		const seen: Record<string, number> = {};
		(window as unknown as { rowSeen: typeof seen }).rowSeen = seen;
		const note = () => {
			for (const tr of document.querySelectorAll('[data-testid="ledger-table"] tr[data-problem]')) seen[(tr as HTMLElement).dataset.problem!] ??= Date.now();
		};
		new MutationObserver(note).observe(document.body, { childList: true, subtree: true });
		note();
	});
}

/** When the county's ledger first listed problem `id`, by the page's own clock. */
async function ledgerShows(page: Page, id: number): Promise<number> {
	await page.locator(`[data-testid="ledger-table"] tr[data-problem="${id}"]`).waitFor({ timeout: 10_000 });
	return page.evaluate((key) => (window as unknown as { rowSeen: Record<string, number> }).rowSeen[key], String(id));
}

/** When the ticker of a wall first listed the event `seq`, by the page's own clock. */
async function tickerShows(page: Page, seq: number): Promise<number> {
	await page.locator(`[data-testid="ticker"] li[data-seq="${seq}"]`).waitFor({ timeout: 10_000 });
	return page.evaluate((key) => (window as unknown as { tickerSeen: Record<string, number> }).tickerSeen[key], String(seq));
}

describe('dispatch, unannounced, and findings from a phone without a connection', () => {
	let browser: Browser;
	let dispatcher: Caller;
	let team = '';
	const places: { code: string; lon: number; lat: number }[] = [];

	beforeAll(async () => {
		browser = await launch();
		await createAccount(sql, names.dispatcher, 'dispatcher', { region: '620000' });
		await createAccount(sql, names.officer, 'county_officer', { region: COUNTY });
		await createAccount(sql, names.inspector, 'inspector', { team: 'team-8' });
		await createAccount(sql, names.leader, 'leader', { region: '620000' });
		dispatcher = { cookie: await login(names.dispatcher, ACCOUNT_PASSWORD, '127.0.42.1') };
		const created = await call('/api/teams', { ...dispatcher, method: 'POST', json: { name: teamName, home_region: '620100', members: [names.inspector], leader: names.inspector } });
		expect(created.status).toBe(201);
		team = created.body.id;
		places.push(...((await sql`select code, st_x(point) as lon, st_y(point) as lat from region where county_code = ${COUNTY} and level = 'village' order by code limit 2`) as unknown as typeof places));
	});

	afterAll(async () => {
		await browser?.close();
		await sql.end();
	});

	it('runs from the console to the phone to the walls, and the county hears only of the problems', async () => {
		// the target county's session: its own wall, open the whole time
		// the walls' decorative pulse stays still: on a software-rendered, shared test machine each redraw costs a wall's main thread more than its GPU ever would
		const county = await signedIn(browser, names.officer, { viewport: { width: 1920, height: 1080 }, reducedMotion: 'reduce' });
		const countyFrames = recordFrames(county.page);
		await county.page.goto(`${baseUrl()}/wall?tour=0`);
		await county.page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 60_000 });
		await watchTicker(county.page);
		// and its ledger, newest found first, in the same session
		const ledger = await county.context.newPage();
		const ledgerFrames = recordFrames(ledger);
		await ledger.goto(`${baseUrl()}/problems?region=${COUNTY}&sort=-found_on`);
		await ledger.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 60_000 });
		await watchLedger(ledger);
		// the province's wall, where a leader sees the teams' findings
		const leader = await signedIn(browser, names.leader, { viewport: { width: 1920, height: 1080 }, reducedMotion: 'reduce' });
		await leader.page.goto(`${baseUrl()}/wall?tour=0`);
		await leader.page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 60_000 });
		await watchTicker(leader.page);

		// the inspector's phone, before there is anything to do
		const phone = await signedIn(browser, names.inspector, {
			viewport: { width: 390, height: 844 },
			isMobile: true,
			hasTouch: true,
			geolocation: { longitude: places[0].lon, latitude: places[0].lat },
			permissions: ['geolocation']
		});
		const outside = watchOutside(phone.page);
		await phone.page.goto(`${baseUrl()}/inspect`);
		await phone.page.getByTestId('no-assignment').waitFor({ timeout: 30_000 });

		// the console: the county's row, the dialog, a team and two places
		const desk = await signedIn(browser, names.dispatcher, { viewport: { width: 1920, height: 1080 } });
		await desk.page.goto(`${baseUrl()}/dispatch`);
		await desk.page.locator('[data-testid="wall-map"][data-drawn="true"]').waitFor({ timeout: 60_000 });
		const row = desk.page.locator(`[data-testid="suggestion"][data-code="${COUNTY}"]`);
		await row.waitFor({ timeout: 30_000 });
		await expect(row.textContent()).resolves.toMatch(/榆中县/);
		await desk.page.screenshot({ path: `${SCREENSHOTS}/dispatch-1920x1080.png` });
		await row.getByTestId('assign').click();
		const dialog = desk.page.getByRole('dialog');
		await dialog.getByTestId('assign-team').waitFor();
		await dialog.getByTestId('assign-team').selectOption(team);
		for (const place of places) await dialog.locator(`input[type="checkbox"][value="${place.code}"]`).check();
		await desk.page.screenshot({ path: `${SCREENSHOTS}/dispatch-assign-dialog.png` });
		const assignedAt = Date.now();
		await dialog.getByTestId('assign-submit').click();
		await desk.page.locator(`[data-testid="team-row"][data-team="${team}"][data-status="travelling"]`).waitFor({ timeout: 10_000 });
		// the console's map is one more page drawing in software: it comes back for the findings
		await desk.page.close();

		// the phone shows the assignment, live, with its places on the map
		await expect.poll(async () => phone.page.getByTestId('assignment-county').textContent(), { timeout: 15_000 }).toMatch(/榆中县/);
		await phone.page.getByTestId('place-pin').nth(1).waitFor({ timeout: 30_000 });
		await phone.page.getByTestId('move-inspecting').click();
		await phone.page.locator('[data-testid="team-status"][data-status="inspecting"]').waitFor({ timeout: 10_000 });

		// the network goes; two findings are recorded on the phone
		await phone.context.setOffline(true);
		await phone.page.locator('[data-testid="network"]').filter({ hasText: '离线' }).waitFor();
		const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 7, 0x4a, 0x46, 0x49, 0x46, 0, 0xff, 0xda, 0, 2, 1, 2, 0xff, 0xd9]);
		const report = async (place: number, text: string, photos: { name: string; mimeType: string; buffer: Buffer }[] = []) => {
			await phone.page.getByTestId('place').nth(place).click();
			await phone.page.getByLabel('类别').selectOption('doctor');
			await phone.page.getByLabel('问题描述').fill(text);
			if (photos.length) await phone.page.getByLabel('照片').setInputFiles(photos);
			await phone.page.getByRole('button', { name: '保存并上报' }).click();
			await phone.page.locator('[data-testid="outbox-item"]').filter({ hasText: text }).locator('[data-testid="queued"]').waitFor();
		};
		const first = `村医不在岗 ${tag}`;
		const second = `药品过期 ${tag}`;
		await report(0, first, [{ name: 'IMG_2031.jpg', mimeType: 'image/jpeg', buffer: photo }]);
		await phone.page.waitForTimeout(11_000); // the outbox's retry timer fires meanwhile, to no avail
		await expect(phone.page.getByTestId('outbox-waiting').textContent()).resolves.toMatch(/1 条待发送/);
		const filed = async (text: string) => (await sql`select count(*)::int as n from problem where description = ${text}`)[0].n as number;
		expect(await filed(first)).toBe(0);
		await phone.page.evaluate(() => window.scrollTo(0, 0));
		await phone.page.screenshot({ path: `${SCREENSHOTS}/inspect-390x844.png` });
		await phone.page.screenshot({ path: `${SCREENSHOTS}/inspect-390x844-full.png`, fullPage: true });

		// nothing of the assignment, the team's way or its arrival reached the county
		const beforeFinding = Date.now();
		const seen = [...countyFrames, ...ledgerFrames].filter((f) => f.at >= assignedAt && f.at < beforeFinding).map((f) => f.text);
		// no live message at all: neither an `event` nor an `events` (the pages take batches)
		expect(seen.filter((text) => /"events?"/.test(text))).toEqual([]);
		for (const text of [...countyFrames, ...ledgerFrames].map((f) => f.text)) {
			for (const word of [team, teamName, names.inspector, names.dispatcher, 'team.']) expect(text).not.toContain(word);
		}

		// the connection returns: the waiting finding goes out by itself, once
		const delivered = phone.page.waitForResponse((r) => r.url().endsWith(`/api/teams/${team}/findings`) && r.request().method() === 'POST' && r.status() === 201);
		await phone.context.setOffline(false);
		const answer = await delivered;
		// when the server answered, by the page's clock (the driver hears of it later on a busy machine)
		const deliveredAt = answer.request().timing().startTime + answer.request().timing().responseStart;
		const { seq, problem } = (await answer.json()) as { seq: number; problem: { id: number; code: string } };
		// the county's copy (problem.created) follows the team's own (team.finding) in the log
		const [countyAt, wallAt, ledgerAt] = await Promise.all([tickerShows(county.page, seq + 1), tickerShows(leader.page, seq), ledgerShows(ledger, problem.id)]);
		console.log(`dispatch: finding delivered → county wall ${countyAt - deliveredAt} ms, province wall ${wallAt - deliveredAt} ms, county ledger ${ledgerAt - deliveredAt} ms`);
		expect(countyAt - deliveredAt).toBeLessThan(2_000);
		expect(wallAt - deliveredAt).toBeLessThan(2_000);
		expect(ledgerAt - deliveredAt).toBeLessThan(2_000);
		await expect(ledger.locator(`tr[data-problem="${problem.id}"]`).textContent()).resolves.toMatch(/飞行检查/);
		await phone.page.locator('[data-testid="delivered"]').filter({ hasText: problem.code }).waitFor({ timeout: 10_000 });
		// the county's ledger has it, with a deadline, found by inspection
		const replay = await call(`/api/events?region=${COUNTY}&after=${seq}&limit=5`, { cookie: await login(names.officer, ACCOUNT_PASSWORD, '127.0.42.2') });
		expect(replay.body.items[0]).toMatchObject({ type: 'problem.created', actor: null, payload: { problem: problem.id, code: problem.code, source: 'inspection' } });
		expect(replay.text).not.toContain(team);
		// the photo taken offline went with it, as the problem's evidence
		expect(replay.body.items[0].payload.evidence).toEqual([expect.objectContaining({ name: 'IMG_2031.jpg', type: 'image/jpeg' })]);

		// a second finding offline, the page closed and opened again once the network is back
		await phone.context.setOffline(true);
		await report(1, second);
		await phone.page.close();
		await phone.context.setOffline(false);
		const reopened = await phone.context.newPage();
		const again = reopened.waitForResponse((r) => r.url().endsWith(`/api/teams/${team}/findings`) && r.request().method() === 'POST' && r.status() === 201);
		await reopened.goto(`${baseUrl()}/inspect`);
		const later = await again;
		const secondAt = later.request().timing().startTime + later.request().timing().responseStart;
		const secondSeq = ((await later.json()) as { seq: number }).seq;
		expect((await tickerShows(county.page, secondSeq + 1)) - secondAt).toBeLessThan(2_000);
		await expect.poll(() => reopened.getByTestId('delivered').count(), { timeout: 10_000 }).toBe(2);

		// each filed once, however often the phone tried
		expect(await filed(first)).toBe(1);
		expect(await filed(second)).toBe(1);
		const [{ findings }] = await sql`select count(*)::int as findings from finding where team_id = ${team}`;
		expect(findings).toBe(2);
		expect(outside).toEqual([]);
		for (const text of [...countyFrames, ...ledgerFrames].map((f) => f.text)) for (const word of [team, teamName, names.inspector]) expect(text).not.toContain(word);
		await ledger.screenshot({ path: `${SCREENSHOTS}/ledger-${COUNTY}-findings.png` });
		const consolePage = await desk.context.newPage();
		await consolePage.goto(`${baseUrl()}/dispatch`);
		await consolePage.locator('[data-testid="finding"]').nth(1).waitFor({ timeout: 30_000 });
		await consolePage.locator('[data-testid="wall-map"][data-drawn="true"]').waitFor({ timeout: 60_000 });
		await consolePage.screenshot({ path: `${SCREENSHOTS}/dispatch-after-findings.png` });
		await leader.page.screenshot({ path: `${SCREENSHOTS}/wall-620000-finding.png` });
		for (const context of [county.context, leader.context, desk.context, phone.context]) await context.close();
	});

	it('lists a problem for supervision and records talks, from the ledger item and from the console, seen by the county and on the wall', async () => {
		const [item] = await sql`select id, code from problem where county_code = ${COUNTY} and status <> 'closed' and not supervised order by id limit 1`;
		const county = await signedIn(browser, names.officer, { viewport: { width: 1440, height: 900 } });
		await county.page.goto(`${baseUrl()}/county/${COUNTY}`);
		await county.page.getByTestId('county-feed').waitFor({ timeout: 60_000 });
		const leader = await signedIn(browser, names.leader, { viewport: { width: 1920, height: 1080 }, reducedMotion: 'reduce' });
		await leader.page.goto(`${baseUrl()}/wall?tour=0`);
		await leader.page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 60_000 });

		// from the ledger item: provincial supervision, and a talk about it with the county's leader
		const desk = await signedIn(browser, names.dispatcher, { viewport: { width: 1440, height: 900 } });
		await desk.page.goto(`${baseUrl()}/problems/${item.id}`);
		const slot = desk.page.getByTestId('supervision-slot');
		await slot.getByTestId('supervise').click();
		await slot.locator('[data-testid="supervision-level"][data-level="province"]').waitFor({ timeout: 10_000 });
		await slot.getByLabel('被约谈人').fill('榆中县分管副县长');
		await slot.getByLabel('约谈事由').fill(`整改进度滞后 ${tag}`);
		await slot.getByRole('button', { name: '记录约谈' }).click();
		await slot.getByTestId('problem-talks').filter({ hasText: '榆中县分管副县长' }).waitFor({ timeout: 10_000 });
		await desk.page.screenshot({ path: `${SCREENSHOTS}/problem-supervision.png` });

		// from the console's row: national supervision of the same item, and a talk with the city's leader
		await desk.page.goto(`${baseUrl()}/dispatch`);
		const row = desk.page.locator(`[data-testid="suggestion"][data-code="${COUNTY}"]`);
		await row.getByRole('button', { name: '督办' }).click();
		let dialog = desk.page.getByRole('dialog');
		await dialog.locator(`input[type="radio"][value="${item.id}"]`).check();
		await dialog.getByLabel('督办级别').selectOption('national');
		await dialog.getByRole('button', { name: '挂牌督办' }).click();
		await dialog.waitFor({ state: 'detached' });
		await row.getByRole('button', { name: '约谈' }).click();
		dialog = desk.page.getByRole('dialog');
		await dialog.getByLabel('所在市负责同志', { exact: false }).check();
		await dialog.getByLabel('被约谈人').fill('兰州市分管副市长');
		await dialog.getByLabel('约谈事由').fill(`督导不力 ${tag}`);
		await dialog.getByRole('button', { name: '记录约谈' }).click();
		await dialog.waitFor({ state: 'detached' });

		const [row2] = await sql`select supervised, supervision_level from problem where id = ${item.id}`;
		expect(row2).toEqual({ supervised: true, supervision_level: 'national' });
		const talks = await sql`select region_code, leader, problem_id from talk where reason like ${`%${tag}`} order by id`;
		expect(talks.map((t) => [t.region_code, t.problem_id])).toEqual([[COUNTY, item.id], ['620100', null]]);

		// the county knows: its own page's feed, and the item in its ledger
		await county.page.getByTestId('county-feed').filter({ hasText: '挂牌督办' }).waitFor({ timeout: 10_000 });
		await county.page.getByTestId('county-feed').filter({ hasText: '约谈记录' }).waitFor({ timeout: 10_000 });
		await county.page.goto(`${baseUrl()}/problems/${item.id}`);
		await county.page.locator('[data-testid="supervision-level"][data-level="national"]').waitFor({ timeout: 10_000 });
		await county.page.getByTestId('problem-talks').filter({ hasText: '榆中县分管副县长' }).waitFor();
		expect(await county.page.getByTestId('supervise').count()).toBe(0);
		// and the province's wall
		await leader.page.locator('[data-testid="ticker"] li[data-type="problem.supervised"]').first().waitFor({ timeout: 10_000 });
		await leader.page.locator('[data-testid="ticker"] li[data-type="talk.recorded"]').first().waitFor({ timeout: 10_000 });
		for (const context of [county.context, leader.context, desk.context]) await context.close();
	});
});
