/** Where each role works: its start page after sign-in, and the pages the app shell offers it. */
import type { Level } from '$lib/indicators';

export interface NavViewer {
	role: string;
	scope: { level: Level; code: string; name: string } | null;
}

/** The one landing rule: county office → its county; dispatcher → dispatch; inspector → its assignment; admin → admin; leader → the map. */
export function landingPath(viewer: NavViewer | null): string {
	if (!viewer) return '/login';
	switch (viewer.role) {
		case 'county_officer':
			return viewer.scope ? `/county/${viewer.scope.code}` : '/problems';
		case 'dispatcher':
			return '/dispatch';
		case 'inspector':
			return '/inspect';
		case 'admin':
			return '/admin';
		default:
			return '/';
	}
}

export interface NavItem {
	href: string;
	/** catalogue key of its label */
	label: string;
	/** paths that light it up as the current page */
	match: (path: string) => boolean;
}

const under = (prefix: string) => (path: string) => path === prefix || path.startsWith(`${prefix}/`);

/** The pages a role may use, in the shell's order. */
export function navItems(viewer: NavViewer | null): NavItem[] {
	if (!viewer) return [];
	const scope = viewer.scope;
	const map: NavItem = { href: '/', label: scope?.level === 'city' ? 'nav.mapCity' : 'nav.map', match: (p) => p === '/' };
	const ledger: NavItem = { href: '/problems', label: 'nav.ledger', match: under('/problems') };
	const wall: NavItem = { href: '/wall', label: 'nav.wall', match: under('/wall') };
	switch (viewer.role) {
		case 'county_officer':
			return scope ? [{ href: `/county/${scope.code}`, label: 'nav.county', match: under('/county') }, ledger] : [ledger];
		case 'leader':
			return [map, ledger, wall];
		case 'dispatcher':
			return [{ href: '/dispatch', label: 'nav.dispatch', match: under('/dispatch') }, map, ledger, wall];
		case 'inspector':
			return [{ href: '/inspect', label: 'nav.inspect', match: under('/inspect') }];
		case 'admin':
			return [{ href: '/admin', label: 'nav.admin', match: under('/admin') }, map, ledger];
		default:
			return [];
	}
}

/** Pages drawn without the shell: the unattended wall and the sign-in page. */
export const BARE_PAGES = ['/wall', '/login', '/logout'];
