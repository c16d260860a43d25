import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/scope';
import { body } from '$lib/server/http/body';
import { notFound, route } from '$lib/server/http/errors';
import { closeAssignment } from '$lib/server/teams/assignments';
import { teamIdOf } from '$lib/server/teams/request';
import { teamFor } from '$lib/server/teams/teams';
import type { RequestHandler } from './$types';

const ending = z.object({ status: z.enum(['done', 'cancelled'], '状态应为 done（完成）或 cancelled（撤销）') }).strict();

/** Completes (`done`) or cancels the assignment; the team stands by again. */
export const PATCH: RequestHandler = route(async (event) => {
	const viewer = requireRole(event, 'dispatcher', 'inspector');
	const team = teamIdOf(event.params.id);
	const id = Number(event.params.assignment);
	if (!Number.isSafeInteger(id) || id <= 0) throw notFound('assignment');
	const { status } = await body(event.request, ending);
	await closeAssignment(viewer, team, id, status);
	return json(await teamFor(viewer, team));
});
