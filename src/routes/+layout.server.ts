import { isLocale } from '$lib/i18n';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, cookies, url }) => {
	const viewer = locals.viewer;
	// Chinese unless the viewer switched (the switch keeps a cookie; ?lang= wins for one link)
	const asked = url.searchParams.get('lang') ?? cookies.get('lang');
	const lang = isLocale(asked) ? asked : 'zh-CN';
	if (!viewer) return { viewer: null, lang };
	return {
		lang,
		viewer:
			viewer.kind === 'user'
				? { name: viewer.username, role: viewer.role, scope: viewer.scope }
				: { name: viewer.name, role: 'kiosk' as const, scope: viewer.scope }
	};
};
