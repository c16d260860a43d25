import type { Db } from '../db';
import { ApiError } from '../http/errors';
import type { EvidenceRef } from '$lib/types/events';

/**
 * Moves the team's photos `ids` into the problem's evidence, claimed by the finding (a file
 * proves one thing only); refuses the lot when one is not the team's or has been used.
 */
export async function attachPhotos(tx: Db, team: string, problem: number, ids: string[]): Promise<EvidenceRef[]> {
	if (!ids.length) return [];
	const numbers = ids.map(Number);
	const moved = await tx`
		with taken as (
			delete from team_photo where team_id = ${team} and id in ${tx(numbers)}
			returning id, name, media_type, size, sha256, content, uploaded_by, created_at
		)
		insert into problem_evidence (problem_id, name, media_type, size, sha256, content, uploaded_by, uploaded_at, attached_at)
		select ${problem}, name, media_type, size, sha256, content, uploaded_by, created_at, now() from taken order by id
		returning id, name, media_type, size`;
	if (moved.length !== ids.length) throw new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field: 'evidence', message: '照片不存在，或已随其他问题上报' }]);
	return moved.map((row) => ({ id: Number(row.id), name: row.name, type: row.media_type, size: row.size }));
}
