import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { Server } from 'socket.io';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from '$lib/types/socket';

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

type ClusterServer<Data> = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, Data>;

export async function joinCluster<Data>(io: ClusterServer<Data>, url: string, prefix: string, onCommitted: (seq: number) => void): Promise<Cluster> {
	const client = createClient({ url });
	// the client reconnects by itself; the log poll (`followLog`) bridges the gap meanwhile
	client.on('error', (error: Error) => console.error('redis:', error.message));
	await client.connect();
	io.adapter(createAdapter(client, { streamName: `${prefix}:socket.io`, channelPrefix: `${prefix}:socket.io` }));
	// another node's message: typed, but still checked
	io.on('log:committed', (seq) => {
		if (typeof seq === 'number' && Number.isSafeInteger(seq)) onCommitted(seq);
	});
	return {
		committed: (seq) => io.serverSideEmit('log:committed', seq),
		close: async () => {
			await client.quit().catch(() => {});
		}
	};
}
