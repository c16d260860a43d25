/** The live stream's events (SPEC §4), shared by the server and the pages. */
import type { IndicatorValues, Level } from '$lib/indicators';

/** Region codes on an event's path, as far down as its subject lies. */
export interface EventPath {
	province: string;
	city: string | null;
	county: string | null;
	township: string | null;
	village: string | null;
}

export interface EventPayloads {
	'patient.treated': { patient: string; date: string };
	'patient.followed_up': { patient: string; date: string };
	'patient.signed': { patient: string; date: string };
	'patient.enrolled': { patient: string; date: string };
	'facility.updated': { facility: string; doctors?: number; licensed_doctors?: number; standard_met?: boolean };
	'problem.status_changed': { problem: number; status: 'open' | 'rectifying' | 'closed'; from?: string };
	'problem.overdue': { problem: number; code: string; deadline: string; supervised: boolean };
	'indicators.changed': { regions: { code: string; level: Level; indicators: IndicatorValues }[]; cause: number };
}

export type EventType = keyof EventPayloads;
/** Types a client may post to `POST /api/events`; the rest the server writes itself. */
export type PostedEventType = Exclude<EventType, 'indicators.changed' | 'problem.overdue'>;

export interface LiveEvent<T extends EventType = EventType> {
	seq: number;
	type: T;
	at: string;
	actor: string | null;
	path: EventPath;
	payload: EventPayloads[T];
}
