import { z } from 'zod';
import { ApiError } from './errors';

/** Parses a JSON body with a zod schema: 400 for malformed JSON, 422 with field errors otherwise. */
export async function body<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
	if (!request.headers.get('content-type')?.includes('application/json')) {
		throw new ApiError(415, 'unsupported_media_type', '请求体应为 JSON');
	}
	let raw: unknown;
	try {
		raw = await request.json();
	} catch {
		throw new ApiError(400, 'invalid_json', '请求体不是合法的 JSON');
	}
	const result = schema.safeParse(raw);
	if (!result.success) {
		const details = result.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
		throw new ApiError(422, 'invalid_fields', '字段校验未通过', details);
	}
	return result.data;
}
