import { ApiError } from '../http/errors';

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * A request body read as it arrives, never more than `max` bytes of it (413 past that, declared
 * or sent in chunks), with a look at its first bytes before the reader that suits it takes over.
 */
export class Upload {
	private readonly reader: ReadableStreamDefaultReader<Uint8Array> | null;
	private readonly held: Uint8Array[] = [];
	private heldBytes = 0;
	private ended = false;
	private finished = false;
	/** bytes read from the request so far */
	bytes = 0;
	/** the length the request declared, if it did */
	readonly declared: number | null;

	constructor(
		request: Request,
		private readonly max: number
	) {
		const declared = Number(request.headers.get('content-length'));
		this.declared = Number.isFinite(declared) && declared > 0 ? declared : null;
		if (this.declared !== null && this.declared > max) throw Upload.tooLarge(max);
		this.reader = request.body ? request.body.getReader() : null;
	}

	static tooLarge(max: number): ApiError {
		return new ApiError(413, 'payload_too_large', `文件不能超过 ${megabytes(max)}；更大的文件请按县拆分后分批导入`);
	}

	private async next(): Promise<Uint8Array | null> {
		if (this.ended || !this.reader) return null;
		let chunk: ReadableStreamReadResult<Uint8Array>;
		try {
			chunk = await this.reader.read();
		} catch {
			throw new ApiError(400, 'invalid_body', '文件上传中断，请重新上传');
		}
		if (chunk.done) {
			this.ended = true;
			this.finished = true;
			return null;
		}
		this.bytes += chunk.value.byteLength;
		// the rest is left unread: Node answers and then closes the connection
		if (this.bytes > this.max) throw Upload.tooLarge(this.max);
		return chunk.value;
	}

	/** At least the first `n` bytes (fewer when the body is shorter), kept for `chunks`. */
	async peek(n: number): Promise<Uint8Array> {
		while (this.heldBytes < n) {
			const chunk = await this.next();
			if (!chunk) break;
			this.held.push(chunk);
			this.heldBytes += chunk.byteLength;
		}
		return concat(this.held).subarray(0, n);
	}

	/** The whole body from its first byte, chunk by chunk. */
	async *chunks(): AsyncGenerator<Uint8Array> {
		while (this.held.length) {
			const chunk = this.held.shift()!;
			this.heldBytes -= chunk.byteLength;
			yield chunk;
		}
		for (;;) {
			const chunk = await this.next();
			if (!chunk) return;
			yield chunk;
		}
	}

	/** The whole body at once, at most `max` bytes of it (GeoJSON, parsed whole). */
	async all(max: number): Promise<Uint8Array> {
		const parts: Uint8Array[] = [];
		let size = 0;
		for await (const chunk of this.chunks()) {
			size += chunk.byteLength;
			if (size > max) throw Upload.tooLarge(max);
			parts.push(chunk);
		}
		return concat(parts);
	}

	/**
	 * Whether the whole body was read. One answered before it was (a bad header, a first sheet
	 * read, a limit passed) must close the connection: the rest is left unread (cancelling the
	 * stream would destroy the socket before the answer is sent).
	 */
	get complete(): boolean {
		return this.finished || !this.reader;
	}

	/** Reads no further: the rest of the body is not wanted. */
	stop(): void {
		this.ended = true;
	}
}

export function concat(parts: Uint8Array[]): Uint8Array {
	if (parts.length === 1) return parts[0];
	const size = parts.reduce((n, p) => n + p.byteLength, 0);
	const out = new Uint8Array(size);
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.byteLength;
	}
	return out;
}
