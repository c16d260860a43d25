/** `GET /api/teams`: flight-inspection teams, shared by the server and the pages. */
import type { TeamStatus } from './events';

export type { TeamStatus };

export interface Team {
	id: string;
	name: string;
	status: TeamStatus;
	lon: number | null;
	lat: number | null;
	homeRegion: string;
	updatedAt: string;
	assignment: { id: number; county: { code: string; name: string }; status: string; unannounced: boolean; startsOn: string } | null;
}
