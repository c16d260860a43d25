import { z } from 'zod';
import { ApiError } from './errors';
import { NUL_MESSAGE, nulAt } from './input';

/** A JSON body's limit: the largest the contract asks for (a batch of 500 events) fits well inside. */
export const JSON_LIMIT = 1024 * 1024;

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
const tooLarge = (max: number) => new ApiError(413, 'payload_too_large', `请求体不能超过 ${megabytes(max)}`);

/** The media type of a request, lower-cased, without its parameters (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(request: Request): string {
	return (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Reads a request's body, refusing it with 413 as soon as it passes `max` bytes: a body that
 * declares a larger length is refused before any of it is read, and one sent in chunks is cut
 * off where it passes the limit, so no more than `max` bytes are ever held.
 */
export async function readBody(request: Request, max: number): Promise<Uint8Array> {
	const declared = Number(request.headers.get('content-length'));
	if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
	if (!request.body) return new Uint8Array(0);
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		let chunk: ReadableStreamReadResult<Uint8Array>;
		try {
			chunk = await reader.read();
		} catch {
			throw new ApiError(400, 'invalid_body', '请求体读取失败');
		}
		if (chunk.done) break;
		size += chunk.value.byteLength;
		// the rest is left unread: Node answers and then closes the connection
		if (size > max) throw tooLarge(max);
		chunks.push(chunk.value);
	}
	const bytes = new Uint8Array(size);
	let at = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, at);
		at += chunk.byteLength;
	}
	return bytes;
}

/**
 * Parses a JSON body with a zod schema: 415 unless the body says it is JSON, 413 past
 * `max` bytes, 400 for malformed JSON or text that is not UTF-8, 422 with field errors otherwise,
 * among them any string (a value or a key, at any depth) that holds U+0000.
 */
export async function body<T extends z.ZodType>(request: Request, schema: T, { max = JSON_LIMIT }: { max?: number } = {}): Promise<z.infer<T>> {
	if (mediaType(request) !== 'application/json') {
		throw new ApiError(415, 'unsupported_media_type', '请求体应为 JSON');
	}
	const bytes = await readBody(request, max);
	let raw: unknown;
	try {
		raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
	} catch {
		throw new ApiError(400, 'invalid_json', '请求体不是合法的 JSON');
	}
	const result = schema.safeParse(raw);
	if (!result.success) {
		const details = result.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
		throw new ApiError(422, 'invalid_fields', '字段校验未通过', details);
	}
	// after the schema, whose own words for a field come first; here every string the schema let through
	const nul = nulAt(raw);
	if (nul !== null) throw new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field: nul, message: NUL_MESSAGE }]);
	return result.data;
}
