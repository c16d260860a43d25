import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
	const viewer = locals.viewer;
	if (!viewer) return { viewer: null };
	return {
		viewer:
			viewer.kind === 'user'
				? { name: viewer.username, role: viewer.role, scope: viewer.scope }
				: { name: viewer.name, role: 'kiosk' as const, scope: viewer.scope }
	};
};
