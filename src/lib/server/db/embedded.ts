import { createServer, type Server } from 'node:net';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { ConnectionQueue } from './connection-queue';
import { TIME_ZONE } from '../../days';

export interface EmbeddedDatabase {
	url: string;
	port: number;
	stop(): Promise<void>;
}

/**
 * Starts PGlite with PostGIS on `dataDir` and serves it on a loopback port, so the app talks
 * to it with the same `postgres` driver and the same SQL as to a PostgreSQL server.
 */
export async function startEmbedded(dataDir: string, port = 0): Promise<EmbeddedDatabase> {
	mkdirSync(dataDir, { recursive: true });
	const db = await PGlite.create({ dataDir, extensions: { postgis } });
	// PGlite ignores a client's TimeZone startup parameter; its one session serves every client
	await db.exec(`set time zone '${TIME_ZONE}'`);
	const queue = new ConnectionQueue(db);
	const handlers = new Set<PGLiteSocketHandler>();

	const server: Server = createServer((socket) => {
		const handler = new PGLiteSocketHandler({
			// the handler only calls enqueue/clearQueueForHandler/clearTransactionIfNeeded
			queryQueue: queue as unknown as ConstructorParameters<typeof PGLiteSocketHandler>[0]['queryQueue'],
			closeOnDetach: true
		});
		handlers.add(handler);
		handler.addEventListener('close', () => handlers.delete(handler));
		handler.addEventListener('error', () => handlers.delete(handler));
		void handler.attach(socket);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	const address = server.address();
	if (!address || typeof address !== 'object') throw new Error('embedded database did not bind');

	return {
		url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
		port: address.port,
		async stop() {
			for (const handler of handlers) await handler.detach(true);
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await db.close();
		}
	};
}
