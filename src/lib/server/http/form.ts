import { error } from '@sveltejs/kit';
import { readBody } from './body';
import { NUL_MESSAGE, nulPair } from './input';

/** A page's form (login, the admin forms) is a few fields: far less than this. */
export const FORM_LIMIT = 1024 * 1024;

function unreadable(message: string): never {
	error(400, { code: 'invalid_form', message });
}

/**
 * The fields a form action was sent, read once for every action: a body past FORM_LIMIT (413),
 * one that is not a form (a malformed multipart, a cut-off body) or a field whose name or value
 * holds U+0000 are refused with SvelteKit's error page (or `{ type: 'error' }` for
 * `use:enhance`) instead of failing the action as a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
	let bytes: Uint8Array;
	try {
		bytes = await readBody(request, FORM_LIMIT);
	} catch (failure) {
		const { status, message } = failure as { status?: number; message: string };
		error(status === 413 ? 413 : 400, { code: status === 413 ? 'payload_too_large' : 'invalid_form', message });
	}
	let data: FormData;
	try {
		data = await new Response(bytes as BodyInit, { headers: { 'content-type': request.headers.get('content-type') ?? '' } }).formData();
	} catch {
		unreadable('表单内容无法读取，请刷新页面后重新提交');
	}
	const nul = nulPair(data.entries());
	if (nul !== null) unreadable(`表单字段 ${nul} ${NUL_MESSAGE}`);
	return data;
}
