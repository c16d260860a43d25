import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ProblemCategory } from '$lib/types/events';

/**
 * The inspector's outbox: findings are written to IndexedDB first and sent from there, each
 * with an `Idempotency-Key` of its own made when it was written. A finding stays queued until
 * the server has answered for it, whatever happens meanwhile (no connection, the page closed
 * and opened again, the server away); a retry of one the server had already taken gets the same
 * answer, so each is filed once.
 */
export interface FindingInput {
	region: string;
	category: ProblemCategory;
	description: string;
	deadline?: string;
}

export interface QueuedPhoto {
	/** the upload's own Idempotency-Key */
	key: string;
	name: string;
	type: string;
	blob: Blob;
	/** the evidence id, once uploaded */
	evidence?: string;
}

export type OutboxState = 'queued' | 'sending' | 'delivered' | 'refused';

export interface QueuedFinding {
	key: string;
	team: string;
	createdAt: string;
	payload: FindingInput;
	/** how the place reads on the phone */
	placeName: string;
	photos: QueuedPhoto[];
	state: OutboxState;
	attempts: number;
	problem?: { id: number; code: string; deadline: string };
	/** why the server refused it (the inspector may correct it and record it again) */
	error?: string;
	deliveredAt?: string;
}

interface OutboxSchema extends DBSchema {
	findings: { key: string; value: QueuedFinding; indexes: { team: string } };
}

/** What delivering one finding came to: taken, refused for good, or to be tried again. */
export type Delivery = { ok: true; problem: NonNullable<QueuedFinding['problem']> } | { ok: false; retry: boolean; message: string };

export type Deliver = (finding: QueuedFinding, uploaded: (photo: QueuedPhoto) => Promise<void>) => Promise<Delivery>;

const DB = 'hcc-inspect';
/** delivered findings are kept on the phone this long, to show what went */
const KEEP_MS = 7 * 86_400_000;
const RETRY_MS = 10_000;

/** A random key that needs no secure context (crypto.randomUUID does). */
export function newKey(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const database = () =>
	openDB<OutboxSchema>(DB, 1, {
		upgrade(db) {
			db.createObjectStore('findings', { keyPath: 'key' }).createIndex('team', 'team');
		}
	});

export class Outbox {
	items: QueuedFinding[] = $state([]);
	online = $state(true);
	/** the last reason a round of sending stopped (no connection, server away) */
	waiting: string | null = $state(null);

	#db: Promise<IDBPDatabase<OutboxSchema>> | undefined;
	#flushing: Promise<void> | null = null;
	#again = false;

	constructor(
		private readonly team: string,
		private readonly deliver: Deliver
	) {}

	get queued(): QueuedFinding[] {
		return this.items.filter((item) => item.state === 'queued' || item.state === 'sending');
	}

	#store() {
		this.#db ??= database();
		return this.#db;
	}

	/** Reads what the phone holds for the team, drops what was delivered long ago, and sends the rest. */
	async load(): Promise<void> {
		const db = await this.#store();
		const all = await db.getAllFromIndex('findings', 'team', this.team);
		const old = all.filter((item) => item.state === 'delivered' && Date.now() - Date.parse(item.deliveredAt ?? item.createdAt) > KEEP_MS);
		for (const item of old) await db.delete('findings', item.key);
		// a page closed while sending left it 'sending': it was not answered, so it is queued
		this.items = all
			.filter((item) => !old.includes(item))
			.map((item) => (item.state === 'sending' ? { ...item, state: 'queued' as const } : item))
			.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
	}

	/** Writes a finding to the phone, then sends what is queued. */
	async add(payload: FindingInput, placeName: string, photos: File[]): Promise<QueuedFinding> {
		const item: QueuedFinding = {
			key: newKey(),
			team: this.team,
			createdAt: new Date().toISOString(),
			payload,
			placeName,
			photos: photos.map((file) => ({ key: newKey(), name: file.name, type: file.type, blob: file })),
			state: 'queued',
			attempts: 0
		};
		await (await this.#store()).put('findings', $state.snapshot(item) as QueuedFinding);
		this.items = [item, ...this.items];
		void this.flush();
		return item;
	}

	async remove(key: string): Promise<void> {
		await (await this.#store()).delete('findings', key);
		this.items = this.items.filter((item) => item.key !== key);
	}

	async #save(item: QueuedFinding): Promise<void> {
		this.items = this.items.map((i) => (i.key === item.key ? item : i));
		await (await this.#store()).put('findings', $state.snapshot(item) as QueuedFinding);
	}

	/** Sends the queued findings, oldest first, one at a time; stops at the first that cannot go now. */
	flush(): Promise<void> {
		if (this.#flushing) {
			this.#again = true;
			return this.#flushing;
		}
		this.#flushing = this.#send().finally(() => {
			this.#flushing = null;
			if (this.#again) {
				this.#again = false;
				void this.flush();
			}
		});
		return this.#flushing;
	}

	async #send(): Promise<void> {
		const queued = this.items.filter((item) => item.state === 'queued').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
		for (const waiting of queued) {
			let item: QueuedFinding = { ...waiting, state: 'sending', attempts: waiting.attempts + 1 };
			await this.#save(item);
			const uploaded = async (photo: QueuedPhoto) => {
				item = { ...item, photos: item.photos.map((p) => (p.key === photo.key ? photo : p)) };
				await this.#save(item);
			};
			let result: Delivery;
			try {
				result = await this.deliver(item, uploaded);
			} catch (error) {
				result = { ok: false, retry: true, message: (error as Error).message };
			}
			if (result.ok) {
				await this.#save({ ...item, state: 'delivered', problem: result.problem, deliveredAt: new Date().toISOString(), error: undefined });
				this.waiting = null;
				continue;
			}
			if (!result.retry) {
				await this.#save({ ...item, state: 'refused', error: result.message });
				continue;
			}
			await this.#save({ ...item, state: 'queued' });
			this.waiting = result.message;
			return;
		}
	}

	/** Sends when the connection returns, and every few seconds while something waits; returns the stop. */
	start(): () => void {
		const online = () => {
			this.online = true;
			void this.flush();
		};
		const offline = () => (this.online = false);
		this.online = navigator.onLine;
		window.addEventListener('online', online);
		window.addEventListener('offline', offline);
		const timer = setInterval(() => {
			if (this.queued.length && navigator.onLine) void this.flush();
		}, RETRY_MS);
		void this.load().then(() => this.flush());
		return () => {
			window.removeEventListener('online', online);
			window.removeEventListener('offline', offline);
			clearInterval(timer);
		};
	}
}
