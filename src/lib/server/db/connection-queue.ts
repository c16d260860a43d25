import type { PGlite } from '@electric-sql/pglite';

/**
 * Serialises the PostgreSQL wire protocol of several socket connections onto one PGlite.
 *
 * The queue shipped with @electric-sql/pglite-socket 0.2.11 switches connections between
 * single protocol messages when no transaction is open, so two clients using the extended
 * protocol (Parse/Bind/Execute/Sync) overwrite each other's unnamed portal and one fails with
 * `portal "" does not exist`. Here a connection keeps the database from its first message
 * until a Sync or a simple Query leaves it outside a transaction; only then may another
 * connection run.
 */
interface Pending {
	handlerId: number;
	message: Uint8Array;
	onData: (data: Uint8Array) => void;
	resolve: (bytes: number) => void;
	reject: (error: unknown) => void;
}

/**
 * PGlite answers an extended-protocol message that fails (a Parse or Bind, say) with its
 * ErrorResponse and a ReadyForQuery at once, and then its Sync with a second ReadyForQuery.
 * PostgreSQL sends the ReadyForQuery only at the Sync. A client that pipelines queries (the
 * `postgres` driver does) would take the extra one as the end of its next query, which would
 * then get an empty result, and every later answer would go to the query after its own. Here
 * the early ReadyForQuery of a failed message is dropped; PGlite itself ignores the rest until
 * the Sync, whose ReadyForQuery ends the failed query, as on a server.
 */
function withoutEarlyReady(chunks: Uint8Array[]): Uint8Array {
	const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
	let failed = false;
	let last = -1;
	for (let i = 0; i + 5 <= bytes.length; ) {
		if (bytes[i] === ERROR) failed = true;
		last = i;
		i += 1 + new DataView(bytes.buffer, bytes.byteOffset + i + 1, 4).getInt32(0);
	}
	return failed && last >= 0 && bytes[last] === READY ? bytes.subarray(0, last) : bytes;
}

const ERROR = 0x45; // 'E'
const READY = 0x5a; // 'Z'
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

export class ConnectionQueue {
	private pending: Pending[] = [];
	private owner: number | null = null;
	private running = false;

	constructor(private readonly db: PGlite) {}

	enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
		return new Promise((resolve, reject) => {
			this.pending.push({ handlerId, message, onData, resolve, reject });
			void this.run();
		});
	}

	clearQueueForHandler(handlerId: number): void {
		this.pending = this.pending.filter((item) => {
			if (item.handlerId !== handlerId) return true;
			item.reject(new Error('connection closed'));
			return false;
		});
	}

	async clearTransactionIfNeeded(handlerId: number): Promise<void> {
		if (this.owner !== handlerId) return;
		if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
		this.owner = null;
		void this.run();
	}

	private next(): Pending | undefined {
		if (this.owner === null) return this.pending.shift();
		const index = this.pending.findIndex((item) => item.handlerId === this.owner);
		return index === -1 ? undefined : this.pending.splice(index, 1)[0];
	}

	private async run(): Promise<void> {
		if (this.running) return;
		this.running = true;
		try {
			for (let item = this.next(); item; item = this.next()) {
				let bytes = 0;
				const type = item.message[0];
				// a Sync or a simple Query ends with ReadyForQuery of its own right: passed on as it comes
				const extended = type !== SYNC && type !== QUERY && type !== TERMINATE;
				const answer: Uint8Array[] = [];
				try {
					await this.db.runExclusive(() =>
						this.db.execProtocolRawStream(item!.message, {
							onRawData: (data) => {
								bytes += data.length;
								// a copy: PGlite may hand over a view of memory it reuses for the next chunk
								if (extended) answer.push(data.slice());
								else item!.onData(data);
							}
						})
					);
					if (extended && answer.length) item.onData(withoutEarlyReady(answer));
				} catch (error) {
					this.owner = null;
					item.reject(error);
					continue;
				}
				this.owner = this.releases(item.message) ? null : item.handlerId;
				item.resolve(bytes);
			}
		} finally {
			this.running = false;
		}
	}

	private releases(message: Uint8Array): boolean {
		const type = message[0];
		const boundary = type === SYNC || type === QUERY || type === TERMINATE || type === 0;
		return boundary && !this.db.isInTransaction();
	}
}
