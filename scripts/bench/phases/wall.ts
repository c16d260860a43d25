import type { Browser, Page } from 'playwright-core';
import type { BenchContext, Phase } from '../lib/context';
import { launch, openSignedIn, VIEWPORT } from '../lib/browser';
import { MAP_PAGES, type MapPage } from '../lib/map-pages';
import { boxOnMap, frames } from '../lib/screen';
import { now, percentiles, round } from '../lib/stats';

/**
 * Notes, in the page's own clock, when the map element says it has loaded and drawn, and which
 * of the map's sources were in and loaded at that moment (the observer runs in the same task).
 */
const watchMap = (selector: string) => {
	type Sources = { getStyle(): { sources: Record<string, unknown> }; isSourceLoaded(id: string): boolean };
	const seen: { loaded?: number; drawn?: number; sources?: string[]; pending?: string[] } = {};
	(window as unknown as { benchMap: typeof seen }).benchMap = seen;
	new MutationObserver(() => {
		const element = document.querySelector(selector) as (Element & { maplibre?: Sources }) | null;
		if (!element) return;
		if (!seen.loaded && element.getAttribute('data-loaded') === 'true') seen.loaded = performance.now();
		if (seen.drawn || element.getAttribute('data-drawn') !== 'true') return;
		seen.drawn = performance.now();
		const map = element.maplibre;
		seen.sources = map ? Object.keys(map.getStyle().sources) : [];
		seen.pending = map ? seen.sources.filter((id) => !map.isSourceLoaded(id)) : [];
	}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-loaded', 'data-drawn'] });
};

interface Draw {
	/** navigation start → the map's `data-drawn`, in the page's clock */
	ms: number;
	/** the same as the driver saw it: from `goto` until it found the attribute (it waits for the page's busy main thread) */
	driverMs: number;
	/** where the time went, in ms since navigation start: the HTML, the page's scripts, the regions' data asked and answered, MapLibre's style loaded */
	steps: Record<string, number>;
	/** the page's regions that were not drawn when it said so: missing sources, or sources still loading (should be none) */
	missing: string[];
}

/** Navigation → the map drawn, every source of its first view rendered (`data-drawn`). */
async function firstDraw(browser: Browser, ctx: BenchContext, target: MapPage): Promise<Draw> {
	const page = await openSignedIn(browser, ctx);
	await page.addInitScript(watchMap, target.map);
	const started = now();
	await page.goto(`${ctx.app.baseUrl}${target.url}`, { waitUntil: 'commit' });
	await page.locator(`${target.map}[data-drawn="true"]`).waitFor({ timeout: 30_000 });
	const driverMs = now() - started;
	const timeline = await page.evaluate((data) => {
		const seen = (window as unknown as { benchMap: { loaded?: number; drawn: number; sources: string[]; pending: string[] } }).benchMap;
		const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
		const before = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => r.responseEnd <= seen.drawn);
		const scripts = before.filter((r) => new URL(r.name).pathname.endsWith('.js'));
		const regions = before.filter((r) => new RegExp(data).test(r.name));
		return {
			...seen,
			steps: {
				html: navigation.responseEnd,
				scripts: Math.max(0, ...scripts.map((r) => r.responseEnd)),
				dataAsked: Math.min(...regions.map((r) => r.startTime)),
				dataAnswered: Math.max(0, ...regions.map((r) => r.responseEnd)),
				mapLoaded: seen.loaded ?? NaN
			}
		};
	}, target.data.source);
	await page.context().close();
	const steps = Object.fromEntries(Object.entries(timeline.steps).map(([name, ms]) => [name, Math.round(ms)]));
	const missing = target.sources.filter((id) => !timeline.sources.includes(id) || timeline.pending.includes(id));
	return { ms: timeline.drawn, driverMs, steps, missing };
}

/**
 * A change of one clinic that moves a county across a break of the `gaps` legend (0 | 1–2 |
 * 3–9 | ≥ 10): the only qualified clinic of a village loses its doctors (gaps 0→1, 2→3, 9→10),
 * or a clinic of a gap village gets a doctor and the standard (1→0, 3→2, 10→9).
 */
async function colourChangingClinic(ctx: BenchContext) {
	const [row] = await ctx.db`
		with county as (
			select ic.code, (ic.counts).villages_gap + (ic.counts).centres_gap + (ic.counts).counties - (ic.counts).counties_ok as gaps,
				array[st_xmin(r.geom), st_ymin(r.geom), st_xmax(r.geom), st_ymax(r.geom)] as bbox
			from indicator_counter ic join region r on r.code = ic.code where r.level = 'county' and r.province_code = '370000'
		),
		clinic as (
			select f.id, f.county_code, f.region_code,
				f.standard_met and (f.doctors > 0 or f.licensed_doctors > 0) as qualified,
				exists (select 1 from facility o where o.region_code = f.region_code and o.id <> f.id and o.kind = 'village_clinic'
					and o.standard_met and (o.doctors > 0 or o.licensed_doctors > 0)) as village_has_another
			from facility f join region v on v.code = f.region_code and v.exempt is null
			where f.kind = 'village_clinic'
		)
		select clinic.id, county.code as county, county.gaps, county.bbox, clinic.qualified as remove
		from county join clinic on clinic.county_code = county.code
		where (county.gaps in (0, 2, 9) and clinic.qualified and not clinic.village_has_another)
			or (county.gaps in (1, 3, 10) and not clinic.qualified and not clinic.village_has_another)
		order by county.code limit 1
	`;
	return row as { id: string; county: string; gaps: number; bbox: number[]; remove: boolean } | undefined;
}

async function openShowingGaps(browser: Browser, ctx: BenchContext, target: MapPage): Promise<Page> {
	const page = await openSignedIn(browser, ctx, target.gaps.context);
	await page.goto(`${ctx.app.baseUrl}${target.gaps.url}`);
	await page.locator(`${target.map}[data-drawn="true"]`).waitFor({ timeout: 30_000 });
	await target.gaps.show?.(page);
	await page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 10_000 });
	return page;
}

/** POST → the county's pixels change on the map (its fill class and its outline flash, through feature-state). */
async function colourChange(browser: Browser, ctx: BenchContext, target: MapPage) {
	const clinic = await colourChangingClinic(ctx);
	if (!clinic) throw new Error('no county whose gaps class one event would change');
	const page = await openShowingGaps(browser, ctx, target);
	await page.waitForTimeout(1500);
	// only the county's own box is watched: a smaller frame is captured faster, and nothing else on the page counts
	const capture = await frames(page, await boxOnMap(page, target.map, clinic.bbox));
	const before = await capture();
	if (!before.equals(await capture())) throw new Error('the map is still moving before the event');
	const shots: number[] = [];
	const started = now();
	const posted = fetch(`${ctx.app.baseUrl}/api/events`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: ctx.cookies.dispatcher },
		body: JSON.stringify({
			type: 'facility.updated',
			payload: clinic.remove ? { facility: clinic.id, doctors: 0, licensed_doctors: 0 } : { facility: clinic.id, doctors: 1, standard_met: true }
		})
	}).then(async (res) => ({ status: res.status, ms: now() - started }));
	let changedMs: number | null = null;
	while (now() - started < 5000) {
		const t = now();
		const shot = await capture();
		shots.push(now() - t);
		if (!shot.equals(before)) {
			changedMs = now() - started;
			break;
		}
	}
	const answer = await posted;
	// once the flash is over, the county keeps a colour other than the one it had
	await page.waitForTimeout(2500);
	const recoloured = !(await capture()).equals(before);
	const after = await fetch(`${ctx.app.baseUrl}/api/regions/${clinic.county}`, { headers: { cookie: ctx.cookies.leader() } }).then((r) => r.json());
	await page.context().close();
	return { changedMs, answer, recoloured, screenshotMs: percentiles(shots).p50, county: clinic.county, gapsBefore: clinic.gaps, gapsAfter: after?.indicators?.gaps };
}

async function measure(browser: Browser, ctx: BenchContext, target: MapPage): Promise<void> {
	const group = `map page ${target.path} in headless Chromium (${VIEWPORT.width}×${VIEWPORT.height})`;
	await firstDraw(browser, ctx, target); // the first load also warms the server's caches
	const draws: Draw[] = [];
	for (let i = 0; i < (ctx.quick ? 5 : 10); i++) draws.push(await firstDraw(browser, ctx, target));
	const p = percentiles(draws.map((d) => d.ms));
	const median = draws.find((d) => round(d.ms) === p.p50);
	const missing = [...new Set(draws.flatMap((d) => d.missing))];
	ctx.record({
		group,
		name: 'navigation → map fully drawn (data-drawn): p50/max',
		value: p.p50,
		unit: 'ms p50',
		target: '< 2000 ms',
		ok: p.max! < 2000 && missing.length === 0,
		detail: { ...p, driver: percentiles(draws.map((d) => d.driverMs)), steps: median?.steps, ...(missing.length ? { missing } : {}) }
	});
	const change = await colourChange(browser, ctx, target);
	ctx.record({
		group,
		name: `event POST → county colour changes on screen (gaps ${change.gapsBefore}→${change.gapsAfter})`,
		value: change.changedMs === null ? null : round(change.changedMs, 0),
		unit: 'ms',
		target: '< 1000 ms',
		ok: change.changedMs !== null && change.changedMs < 1000 && change.answer.status === 201 && change.recoloured,
		detail: { postAnsweredMs: round(change.answer.ms, 0), status: change.answer.status, recoloured: change.recoloured, screenshotEveryMs: change.screenshotMs, county: change.county }
	});
}

/** The map pages in headless Chromium (SPEC §8: first full map < 2 s, a county's colour within 1 s of the POST). */
export const wall: Phase = {
	name: 'wall',
	async run(ctx) {
		const browser = await launch();
		try {
			for (const target of MAP_PAGES.filter((p) => !ctx.pages || ctx.pages.includes(p.path))) {
				try {
					await measure(browser, ctx, target);
				} catch (error) {
					// one page failing leaves the other's figures standing
					ctx.log(`   ${target.path} failed: ${(error as Error).stack}`);
					ctx.record({ group: `map page ${target.path}`, name: 'failed', value: null, unit: '', ok: false, detail: { error: (error as Error).message } });
				}
			}
		} finally {
			await browser.close();
		}
	}
};
