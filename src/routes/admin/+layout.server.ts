import { requireAdmin } from './guard.server';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = (event) => {
	requireAdmin(event);
	return {};
};
