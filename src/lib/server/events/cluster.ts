import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { Io } from './socket';

/**
 * Several app nodes on one database. Each node's publisher sends the log to its own sockets,
 * in seq order, so an event reaches every client once whichever node wrote it; what the nodes
 * share through Redis is only the news that the log has grown (and socket.io's own cross-node
 * operations, such as cutting the sockets of a revoked token). Emitting events through the
 * adapter from the writing node instead would let two writers' events cross on the way.
 */
export interface Cluster {
	/** tells the other nodes that events up to `seq` are committed */
	committed(seq: number): void;
	close(): Promise<void>;
}

const COMMITTED = 'log:committed';

export async function joinCluster(io: Io, url: string, prefix: string, onCommitted: (seq: number) => void): Promise<Cluster> {
	const client = createClient({ url });
	// the client reconnects by itself; the log poll in background.ts bridges the gap meanwhile
	client.on('error', (error: Error) => console.error('redis:', error.message));
	await client.connect();
	io.adapter(createAdapter(client, { streamName: `${prefix}:socket.io`, channelPrefix: `${prefix}:socket.io` }));
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	(io as any).on(COMMITTED, (seq: unknown) => {
		if (typeof seq === 'number' && Number.isSafeInteger(seq)) onCommitted(seq);
	});
	return {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		committed: (seq) => (io as any).serverSideEmit(COMMITTED, seq),
		close: async () => {
			await client.quit().catch(() => {});
		}
	};
}
