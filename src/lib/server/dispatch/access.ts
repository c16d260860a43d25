import { requireViewer, type Asker } from '../auth/scope';
import { readerOf } from '../events/log';
import { ApiError } from '../http/errors';
import type { Viewer } from '../auth/viewer';

/**
 * Who reads the dispatch console (suggestions name the teams): those who read sealed events —
 * the province's dispatchers, admins and province-scope leaders (SPEC §4). Everyone else is
 * refused before anything is looked up.
 */
export function requireDispatchReader(asker: Asker): Viewer {
	const viewer = requireViewer(asker);
	if (!readerOf(viewer).sealed) throw new ApiError(403, 'forbidden', '当前账号无权使用调度功能');
	return viewer;
}
