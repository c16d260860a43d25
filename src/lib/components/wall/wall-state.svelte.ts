import type { FeatureCollection } from 'geojson';
import type { IndicatorKey, IndicatorValues } from '$lib/indicators';
import type { LiveEvent } from '$lib/types/events';
import type { OverdueProblem, RankingRow, Team, WallScope, WallSummary } from '$lib/types/wall';

import { WallApi } from './wall-api';
import { throttled } from '$lib/live/throttled';


/**
 * Everything the wall shows, as the server computed it, kept current by the live stream:
 * indicator values come from `indicators.changed`, counts and rankings are asked for again
 * after the events that move them. Nothing here is computed from raw records.
 */
export class WallState {
	summary: WallSummary | undefined = $state();
	// shapes are replaced whole, never changed in place: not deeply reactive, so that reading
	// tens of thousands of coordinates (their extents, the copy MapLibre sends its worker) goes
	// through no proxy
	counties: FeatureCollection | undefined = $state.raw();
	cities: FeatureCollection | undefined = $state.raw();
	/** the scope's own boundary, drawn glowing around the map */
	outline: FeatureCollection | undefined = $state.raw();
	/** the scope's own indicators, newest first from the stream */
	values: IndicatorValues | undefined = $state();
	/** county indicators that arrived live, for the map's feature-state */
	countyValues: Record<string, Partial<IndicatorValues>> = $state({});
	lastEventAt: Record<string, string | null> = $state({});
	overdue: OverdueProblem[] = $state([]);
	teams: Team[] = $state([]);
	ranking: RankingRow[] = $state([]);
	rankingTotal = $state(0);
	rankingSince: string | null = $state(null);
	/** per county: bumped when a facility there changed, so its village gaps are read again */
	villageVersions: Record<string, number> = $state({});
	error: string | null = $state(null);

	readonly api: WallApi;
	#indicator: IndicatorKey = 'clinic_coverage';

	constructor(
		readonly scope: WallScope,
		token: string | null
	) {
		this.api = new WallApi(token);
	}

	get countyLevel(): boolean {
		return this.scope.level === 'county';
	}

	/** The map's shapes and the numbers, in parallel: the map draws as soon as its shapes are in. */
	async load(indicator: IndicatorKey): Promise<void> {
		this.#indicator = indicator;
		const code = this.scope.code;
		const outline = this.api
			.get<{ geometry: FeatureCollection['features'][number]['geometry']; isKey: boolean; indicators: IndicatorValues }>(`/api/regions/${code}`)
			.then((region): FeatureCollection => ({
				type: 'FeatureCollection',
				features: [{ type: 'Feature', geometry: region.geometry, properties: { code, name: this.scope.name, key: region.isKey, ...region.indicators } }]
			}));
		// a county's wall shows the county itself; larger scopes their counties
		const counties = this.countyLevel ? outline : this.api.get<FeatureCollection>(`/api/regions/${code}/children?level=county`);
		const cities = this.scope.level === 'province' ? this.api.get<FeatureCollection>(`/api/regions/${code}/children`) : Promise.resolve(undefined);
		const summary = this.api.get<WallSummary>(`/api/wall?region=${code}`);
		// the map starts drawing once its shapes are all in: its first frame is the whole map
		[this.counties, this.cities, this.outline] = await Promise.all([counties, cities, outline]);
		const loaded = await summary;
		this.summary = loaded;
		this.values = loaded.indicators;
		this.lastEventAt = Object.fromEntries(loaded.counties.map((c) => [c.code, c.lastEventAt]));
		await Promise.all([this.#loadOverdue(), this.#loadRanking(), this.#loadTeams()]);
	}

	/**
	 * After the page was away too long for a replay: everything asked for again. County values go
	 * into the live set (feature-state) like any other change, so the county layer is not reset.
	 */
	async refresh(): Promise<void> {
		const code = this.scope.code;
		if (!this.countyLevel) {
			const counties = await this.api.get<{ items: { code: string; indicators: IndicatorValues }[] }>(`/api/indicators?region=${code}&level=county`);
			for (const county of counties.items) this.countyValues[county.code] = county.indicators;
		}
		const fresh = await this.api.get<WallSummary>(`/api/wall?region=${code}`);
		this.summary = fresh;
		this.values = fresh.indicators;
		this.lastEventAt = Object.fromEntries(fresh.counties.map((c) => [c.code, c.lastEventAt]));
		for (const county of Object.keys(this.villageVersions)) this.villageVersions[county] += 1;
		await Promise.all([this.#loadOverdue(), this.#loadRanking(), this.#loadTeams()]);
	}

	setIndicator(indicator: IndicatorKey): void {
		if (indicator === this.#indicator) return;
		this.#indicator = indicator;
		void this.#loadRanking().catch(() => {});
	}

	async #loadOverdue(): Promise<void> {
		this.overdue = (await this.api.get<{ items: OverdueProblem[] }>(`/api/wall/overdue?region=${this.scope.code}`)).items;
	}

	async #loadRanking(): Promise<void> {
		if (this.countyLevel) return;
		const indicator = this.#indicator;
		const answer = await this.api.get<{ items: RankingRow[]; total: number; since: string | null }>(
			`/api/rankings?region=${this.scope.code}&level=county&indicator=${indicator}`
		);
		if (indicator !== this.#indicator) return;
		this.ranking = answer.items;
		this.rankingTotal = answer.total;
		this.rankingSince = answer.since;
	}

	/** Teams only for a province-wide view, and only if the server lets this viewer see them. */
	async #loadTeams(): Promise<void> {
		if (this.scope.level !== 'province') return;
		const response = await this.api.fetch('/api/teams');
		if (!response.ok) return;
		const body = (await response.json()) as { items?: Team[] };
		this.teams = Array.isArray(body.items) ? body.items : [];
	}

	async #loadSummaryCounts(): Promise<void> {
		const fresh = await this.api.get<WallSummary>(`/api/wall?region=${this.scope.code}`);
		if (this.summary) this.summary = { ...this.summary, problems: fresh.problems, baseline: fresh.baseline };
	}

	#rankingSoon = throttled(2_000, () => this.#loadRanking());
	#overdueSoon = throttled(1_000, () => Promise.all([this.#loadOverdue(), this.#loadSummaryCounts()]).then(() => {}));

	/** Takes one live event into the state. */
	accept(event: LiveEvent): void {
		if (event.type === 'indicators.changed') {
			const { regions } = event.payload;
			for (const region of regions) {
				if (region.code === this.scope.code) this.values = region.indicators;
				if (region.level === 'county') this.countyValues[region.code] = region.indicators;
			}
			this.#rankingSoon();
			return;
		}
		if (event.type === 'team.status' || event.type === 'team.location') {
			this.#moveTeam(event);
			return;
		}
		const county = event.path.county;
		if (county && event.actor !== 'system' && county in this.lastEventAt) this.lastEventAt[county] = event.at;
		if (event.type.startsWith('problem.') || event.type === 'team.finding') this.#overdueSoon();
		if (event.type === 'facility.updated' && county) this.villageVersions[county] = (this.villageVersions[county] ?? 0) + 1;
	}

	#moveTeam(event: LiveEvent<'team.status' | 'team.location'>): void {
		this.teams = this.teams.map((team) => {
			if (team.id !== event.payload.team) return team;
			if (event.type === 'team.status') return { ...team, status: event.payload.status };
			const { lon, lat } = event.payload;
			return { ...team, lon, lat };
		});
	}
}
