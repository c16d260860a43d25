import type { FeatureCollection } from 'geojson';
import type { LiveEvent } from '$lib/types/events';
import type { CrossPair, DispatchWeights, Finding, Suggestion, Suggestions } from '$lib/types/dispatch';
import type { Team } from '$lib/types/teams';
import { request } from './api';
import { throttled } from '$lib/live/throttled';

export interface DispatchScope {
	code: string;
	name: string;
	level: string;
}

/**
 * What the console shows, as the server ranks and reports it, kept current by the live stream:
 * team markers move with `team.status` / `team.location`; the ranking, the teams and the
 * findings are asked for again after the events that change them.
 */
export class DispatchState {
	suggestions: Suggestion[] = $state([]);
	total = $state(0);
	quiet = $state(false);
	weights: DispatchWeights | null = $state(null);
	teams: Team[] = $state([]);
	findings: Finding[] = $state([]);
	cross: { id: number | null; items: CrossPair[] } | null = $state(null);
	counties: FeatureCollection | null = $state.raw(null);
	cities: FeatureCollection | null = $state.raw(null);
	selected: string | null = $state(null);
	error: string | null = $state(null);
	/** bumped when a finding arrives, for the feed to mark it */
	latestFinding: number | null = $state(null);

	constructor(readonly scope: DispatchScope) {}

	/** County (and city) names, for the cross-inspection pairs and the feed. */
	get names(): Map<string, string> {
		const names = new Map<string, string>();
		for (const f of [...(this.cities?.features ?? []), ...(this.counties?.features ?? [])]) names.set(String(f.properties?.code), String(f.properties?.name));
		return names;
	}

	async load(): Promise<void> {
		const code = this.scope.code;
		const shapes = Promise.all([
			request<FeatureCollection>(`/api/regions/${code}/children?level=county`),
			this.scope.level === 'province' ? request<FeatureCollection>(`/api/regions/${code}/children`) : Promise.resolve(null)
		]).then(([counties, cities]) => {
			this.counties = counties;
			this.cities = cities;
		});
		await Promise.all([shapes, this.loadSuggestions(), this.loadTeams(), this.loadFindings(), this.loadCross()]);
	}

	async loadSuggestions(): Promise<void> {
		const answer = await request<Suggestions>(`/api/dispatch/suggestions?region=${this.scope.code}`);
		this.suggestions = answer.items;
		this.total = answer.total;
		this.quiet = answer.quiet;
		this.weights = answer.weights;
	}

	async loadTeams(): Promise<void> {
		this.teams = (await request<{ items: Team[] }>('/api/teams')).items;
	}

	async loadFindings(): Promise<void> {
		this.findings = (await request<{ items: Finding[] }>('/api/dispatch/findings?limit=30')).items;
	}

	async loadCross(): Promise<void> {
		if (this.scope.level !== 'province') return;
		this.cross = await request<{ id: number | null; items: CrossPair[] }>(`/api/cross-inspections?province=${this.scope.code}`);
	}

	#suggestionsSoon = throttled(1_500, () => this.loadSuggestions());
	#teamsSoon = throttled(300, () => Promise.all([this.loadTeams(), this.loadSuggestions()]).then(() => {}));
	#findingsSoon = throttled(300, () => this.loadFindings());

	/** Takes one live event into the state. */
	accept(event: LiveEvent): void {
		if (event.type === 'team.location' || (event.type === 'team.status' && !event.payload.assignment)) {
			this.#move(event);
			if (event.type === 'team.status') this.#teamsSoon();
			return;
		}
		if (event.type.startsWith('team.')) {
			if (event.type === 'team.status') this.#move(event);
			this.#teamsSoon();
			if (event.type === 'team.finding') {
				this.latestFinding = event.payload.problem;
				this.#findingsSoon();
			}
			return;
		}
		if (event.type === 'cross_inspection.drawn') void this.loadCross().catch(() => {});
		if (event.type === 'dispatch.weights_changed' || event.type === 'indicators.changed' || event.type.startsWith('problem.')) this.#suggestionsSoon();
	}

	#move(event: LiveEvent<'team.status' | 'team.location'>): void {
		this.teams = this.teams.map((team) => {
			if (team.id !== event.payload.team) return team;
			if (event.type === 'team.status') return { ...team, status: event.payload.status };
			return { ...team, lon: event.payload.lon, lat: event.payload.lat };
		});
	}
}
