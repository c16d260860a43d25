import { z } from 'zod';
import { sql as defaultSql, type Sql } from '../db';
import type { Viewer } from '../auth/viewer';
import { ApiError } from '../http/errors';
import { postEvent, type Posted } from '../events/write/post';
import { PAYLOADS, type PostedEvent } from '../events/types';
import type { FindingAnswer } from '$lib/types/teams';

/** A body of `POST /api/teams/{id}/…`: an object; the team comes from the path. */
export const teamBody = z.record(z.string(), z.unknown()).refine((raw) => !('team' in raw), { message: '检查组由路径给出，请求体中不应有 team', path: ['team'] });

type TeamEventType = 'team.status' | 'team.location' | 'team.assigned' | 'team.finding';

/**
 * Posts a team's event through the one write path, its payload the body with the path's team:
 * checked by the same schema as `POST /api/events`, field errors named as the body names them.
 */
export async function postForTeam(viewer: Viewer, type: TeamEventType, team: string, raw: Record<string, unknown>, key: string | null, db: Sql = defaultSql): Promise<Posted> {
	const parsed = PAYLOADS[type].safeParse({ ...raw, team });
	if (!parsed.success) {
		const details = parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
		throw new ApiError(422, 'invalid_fields', '字段校验未通过', details);
	}
	return postEvent(viewer, { type, payload: parsed.data } as PostedEvent, key, db);
}

/** The first event's payload of a posted write (what a retry with the same key answers again). */
export async function postedPayload(seq: number, db: Sql = defaultSql): Promise<Record<string, unknown>> {
	const [row] = await db`select payload from event where seq = ${seq}`;
	return row.payload;
}

/** 即时反馈: the finding, filed as a problem of the county; a retry with the same key gets the same answer. */
export async function postFinding(viewer: Viewer, team: string, raw: Record<string, unknown>, key: string | null, db: Sql = defaultSql): Promise<FindingAnswer> {
	const { seq, repeated } = await postForTeam(viewer, 'team.finding', team, raw, key, db);
	const { problem: id } = await postedPayload(seq, db);
	const [problem] = await db`select id, code, deadline::text as deadline, region_code, category from problem where id = ${id as number}`;
	return { seq, repeated, problem: { id: Number(problem.id), code: problem.code, deadline: problem.deadline, region: problem.region_code, category: problem.category } };
}
