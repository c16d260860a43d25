import type { Campaign, CampaignPhase } from '$lib/types/wall';

export type CampaignMoment =
	| { state: 'upcoming'; phase: CampaignPhase; until: number }
	| { state: 'running'; phase: CampaignPhase; until: number; progress: number }
	| { state: 'finished' };

/** Where the campaign stands at `now`: phases overlap, so the latest one begun is the current one. */
export function campaignAt(campaign: Campaign, now: number): CampaignMoment {
	const running = campaign.phases.filter((p) => Date.parse(p.startsAt) <= now && now < Date.parse(p.endsAt)).at(-1);
	if (running) {
		const start = Date.parse(running.startsAt);
		const end = Date.parse(running.endsAt);
		return { state: 'running', phase: running, until: end - now, progress: (now - start) / (end - start) };
	}
	const next = campaign.phases.find((p) => now < Date.parse(p.startsAt));
	return next ? { state: 'upcoming', phase: next, until: Date.parse(next.startsAt) - now } : { state: 'finished' };
}
