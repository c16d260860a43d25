import { fail } from '@sveltejs/kit';
import type { ZodError } from 'zod';
import type { FormFeedback } from '$lib/components/admin/types';
import { ApiError, type ErrorDetail } from '$lib/server/http/errors';

/** Which form (and row) an answer concerns, and the inputs to put back (never a password). */
export type FormContext = Pick<FormFeedback, 'form' | 'id' | 'values'>;

/** The named fields as trimmed strings; blank ones are left out so that optional fields stay optional. */
export function formFields(data: FormData, names: string[]): Record<string, string> {
	const values: Record<string, string> = {};
	for (const name of names) {
		const value = data.get(name);
		if (typeof value === 'string' && value.trim() !== '') values[name] = name === 'password' ? value : value.trim();
	}
	return values;
}

/** The row an action is about, from the form's hidden `id`; null when it is not an id. */
export function rowId(data: FormData): number | null {
	const id = Number(data.get('id'));
	return Number.isSafeInteger(id) && id > 0 ? id : null;
}

function byField(details: ErrorDetail[] | undefined): Record<string, string> | undefined {
	if (!details?.length) return undefined;
	const fields: Record<string, string> = {};
	for (const { field, message } of details) if (field && !(field in fields)) fields[field] = message;
	return fields;
}

/** A 422 naming each field zod rejected, shown next to its input. */
export function invalid(error: ZodError, context: FormContext) {
	const details = error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
	return fail(422, { ...context, message: '请检查标出的字段', fields: byField(details) });
}

/** An ApiError from lib/server (409 name taken, 422 bad scope, 404 …) as a form failure; anything else is rethrown. */
export function refused(error: unknown, context: FormContext) {
	if (!(error instanceof ApiError) || error.status >= 500) throw error;
	return fail(error.status, { ...context, message: error.message, fields: byField(error.details) });
}
