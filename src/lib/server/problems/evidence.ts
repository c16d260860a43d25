import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { sql as defaultSql, type Db } from '../db';
import { mediaType, readBody } from '../http/body';
import { ApiError } from '../http/errors';
import type { EvidenceFile } from '../events/write/planners/problems';

/** What a file must be by its content (never by its name): a photo or a scanned PDF. */
export const EVIDENCE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf']);

/** The largest evidence file (EVIDENCE_MAX_MB, default 10). */
export const evidenceLimit = () => Math.round(Number(process.env.EVIDENCE_MAX_MB ?? 10) * 1024 * 1024) || 10 * 1024 * 1024;
// the multipart envelope around the file: boundaries, headers, a name
const ENVELOPE = 16 * 1024;

/** A file name to show and to offer when downloading: no path, no control characters, at most 200 characters. */
export function cleanName(name: string, type: string): string {
	const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '').trim().slice(0, 200);
	return base || `evidence.${type === 'application/pdf' ? 'pdf' : type.split('/')[1]}`;
}

/**
 * The one file of a multipart upload (field `file`): 413 past the limit, 400 for a body that is
 * not multipart with exactly one file, 415 for a file whose content is not an image or a PDF,
 * whatever it is called or claims to be.
 */
export async function readEvidence(request: Request): Promise<EvidenceFile> {
	if (mediaType(request) !== 'multipart/form-data') throw new ApiError(415, 'unsupported_media_type', '请以 multipart/form-data 上传一个文件');
	const max = evidenceLimit();
	const bytes = await readBody(request, max + ENVELOPE);
	let form: FormData;
	try {
		form = await new Response(bytes as BodyInit, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
	} catch {
		throw new ApiError(400, 'invalid_body', '上传内容不是有效的 multipart 表单');
	}
	const files = [...form.values()].filter((v): v is File => typeof v !== 'string');
	if (files.length !== 1 || !(form.get('file') instanceof File)) throw new ApiError(400, 'invalid_body', '应上传且只上传一个文件（字段 file）');
	const file = form.get('file') as File;
	if (file.size === 0) throw new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field: 'file', message: '文件为空' }]);
	if (file.size > max) throw new ApiError(413, 'payload_too_large', `文件不能超过 ${Math.round(max / 1024 / 1024)} MB`);
	const content = new Uint8Array(await file.arrayBuffer());
	const sniffed = await fileTypeFromBuffer(content);
	if (!sniffed || !EVIDENCE_TYPES.has(sniffed.mime)) throw new ApiError(415, 'unsupported_media_type', '佐证材料应为图片（JPEG、PNG、WebP、GIF）或 PDF 文件');
	return {
		name: cleanName(file.name, sniffed.mime),
		type: sniffed.mime,
		size: content.byteLength,
		sha256: createHash('sha256').update(content).digest('hex'),
		content
	};
}

/** The stored file and the problem it belongs to; the caller checks that problem's scope. */
export async function evidenceById(id: number, db: Db = defaultSql) {
	const [row] = await db`select id, problem_id, name, media_type, size, content from problem_evidence where id = ${id}`;
	return row ? { id: Number(row.id), problem: Number(row.problem_id), name: row.name as string, type: row.media_type as string, size: row.size as number, content: row.content as Uint8Array } : null;
}
