import type { Level } from '$lib/indicators';

export const ROLES = ['leader', 'dispatcher', 'county_officer', 'inspector', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ScopeRegion {
	level: Level;
	code: string;
	name: string;
}

/** Who is asking: a signed-in user, or a wall screen with a kiosk token (read-only). */
export type Viewer =
	| { kind: 'user'; id: number; username: string; role: Role; scope: ScopeRegion | null; team: string | null; sessionId: string }
	| { kind: 'kiosk'; id: number; name: string; scope: ScopeRegion };
