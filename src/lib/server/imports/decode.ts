import iconv from 'iconv-lite';
import { ApiError } from '../http/errors';
import { concat } from './upload';

export type TextEncoding = 'utf-8' | 'gb18030';

/** How far past the first non-ASCII byte the guess looks, and how much ASCII it reads before settling for UTF-8. */
const WINDOW = 4096;
const ASCII_ONLY = 1024 * 1024;

const firstNonAscii = (bytes: Uint8Array): number => bytes.findIndex((b) => b >= 0x80);

/**
 * Which encoding a CSV file is in, from its first bytes: a UTF-8 byte-order mark says UTF-8;
 * otherwise the first run of non-ASCII text decides: valid UTF-8 is UTF-8, anything else is
 * what Excel writes on a Chinese system (GBK, read as its superset GB18030).
 */
export function guessEncoding(head: Uint8Array, complete: boolean): TextEncoding | null {
	if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
	if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
		throw new ApiError(415, 'unsupported_encoding', '文件为 UTF-16（Excel“Unicode 文本”）编码，请另存为“CSV UTF-8（逗号分隔）”或 .xlsx');
	}
	const at = firstNonAscii(head);
	if (at < 0) return complete || head.length >= ASCII_ONLY ? 'utf-8' : null;
	if (!complete && head.length < at + WINDOW) return null;
	// a character cut at the window's end is not a fault of the file
	let window = head.subarray(at, at + WINDOW);
	if (!complete || at + WINDOW < head.length) window = window.subarray(0, trimmedEnd(window));
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(window);
		return 'utf-8';
	} catch {
		return 'gb18030';
	}
}

/** The window's length without a UTF-8 sequence cut at its end (at most three bytes). */
function trimmedEnd(bytes: Uint8Array): number {
	for (let back = 1; back <= Math.min(3, bytes.length); back++) {
		const b = bytes[bytes.length - back];
		if (b < 0x80) return bytes.length;
		if (b >= 0xc0) return bytes.length - back;
	}
	return bytes.length;
}

/**
 * The text of a byte stream in its own encoding, detected from its first bytes; the UTF-8
 * byte-order mark is dropped. Text that is not valid in the encoding found is refused (415).
 */
export async function* decodeText(chunks: AsyncIterable<Uint8Array>, onEncoding?: (encoding: TextEncoding) => void): AsyncGenerator<string> {
	const head: Uint8Array[] = [];
	let encoding: TextEncoding | null = null;
	const iterator = chunks[Symbol.asyncIterator]();
	let done = false;
	while (!encoding) {
		const next = await iterator.next();
		if (next.done) done = true;
		else {
			head.push(next.value);
		}
		encoding = guessEncoding(concat(head), done) ?? (done ? 'utf-8' : null);
		if (done) break;
	}
	onEncoding?.(encoding!);
	const decode = decoder(encoding!);
	let first = true;
	const emit = (bytes: Uint8Array) => {
		let text = decode.write(bytes);
		if (first && text) {
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
			first = false;
		}
		return text;
	};
	const start = emit(concat(head));
	if (start) yield start;
	if (!done) {
		for (;;) {
			const next = await iterator.next();
			if (next.done) break;
			const text = emit(next.value);
			if (text) yield text;
		}
	}
	const rest = decode.end();
	if (rest) yield rest;
}

interface Decoder {
	write(bytes: Uint8Array): string;
	end(): string;
}

const notText = () => new ApiError(415, 'unsupported_encoding', '文件中有无法识别的字符：请另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传');

function decoder(encoding: TextEncoding): Decoder {
	if (encoding === 'utf-8') {
		const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
		return {
			write: (bytes) => {
				try {
					return utf8.decode(bytes, { stream: true });
				} catch {
					throw notText();
				}
			},
			end: () => {
				try {
					return utf8.decode();
				} catch {
					throw notText();
				}
			}
		};
	}
	const gb = iconv.getDecoder('gb18030');
	return { write: (bytes) => gb.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), end: () => gb.end() ?? '' };
}
