import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireViewer } from '$lib/server/auth/scope';
import { route } from '$lib/server/http/errors';
import { page, query } from '$lib/server/http/params';
import { teamsFor } from '$lib/server/teams/teams';
import type { RequestHandler } from './$types';

const params = z.object(page);

/** Flight-inspection teams with their status, position and current assignment. */
export const GET: RequestHandler = route(async (event) => {
	const viewer = requireViewer(event);
	return json(await teamsFor(viewer, query(event.url, params)));
});
