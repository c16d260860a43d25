/** CSV as Excel reads it: UTF-8 with a byte-order mark, CRLF lines, fields quoted where they must be. */
export const BOM = '\uFEFF';

/**
 * Text a spreadsheet would take for a formula (=, +, @) is written with a leading apostrophe, as
 * Excel marks text itself; the import drops that apostrophe again (cells.ts), so a file exported
 * and imported again is unchanged.
 */
export function csvField(value: unknown): string {
	if (value === null || value === undefined) return '';
	let text = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
	if (/^[=+@]/.test(text)) text = `'${text}`;
	return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: unknown[]): string => `${values.map(csvField).join(',')}\r\n`;

/** A streamed CSV answer from lines produced one at a time. */
export function csvResponse(lines: AsyncIterable<string>, fileName: string): Response {
	const encoder = new TextEncoder();
	const iterator = lines[Symbol.asyncIterator]();
	let started = false;
	const stream = new ReadableStream<Uint8Array>({
		async pull(controller) {
			let text = started ? '' : BOM;
			started = true;
			// about 64 KB a chunk
			while (text.length < 65_536) {
				const next = await iterator.next();
				if (next.done) {
					if (text) controller.enqueue(encoder.encode(text));
					controller.close();
					return;
				}
				text += next.value;
			}
			controller.enqueue(encoder.encode(text));
		},
		async cancel() {
			await iterator.return?.();
		}
	});
	return new Response(stream, { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': attachment(fileName) } });
}

/** A Content-Disposition naming a file with Chinese in its name (RFC 6266, with an ASCII fallback). */
export const attachment = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
