import { IDEMPOTENCY_KEY } from '../events/types';
import { ApiError } from '../http/errors';

/** The `Idempotency-Key` header of a write from the field, checked as `POST /api/events` checks it; null when there is none. */
export function idempotencyKeyOf(request: Request): string | null {
	const header = request.headers.get('idempotency-key');
	if (header === null) return null;
	const key = IDEMPOTENCY_KEY.safeParse(header);
	if (!key.success) throw new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field: 'Idempotency-Key', message: key.error.issues[0].message }]);
	return key.data;
}

const TEAM_ID = /^[A-Za-z0-9_-]{1,40}$/;

/** A team id from the path; one that cannot be a team's is refused like a team the viewer may not see. */
export function teamIdOf(param: string): string {
	if (!TEAM_ID.test(param)) throw new ApiError(403, 'forbidden', '无权操作该检查组');
	return param;
}
