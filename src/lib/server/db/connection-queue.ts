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
				try {
					await this.db.runExclusive(() =>
						this.db.execProtocolRawStream(item!.message, {
							onRawData: (data) => {
								bytes += data.length;
								item!.onData(data);
							}
						})
					);
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
