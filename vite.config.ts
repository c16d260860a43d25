import type { Server } from 'node:http';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * `npm run dev`: the same boot and the same socket.io server as the production entry, loaded
 * through Vite's SSR module graph so the routes share their instances.
 */
function commandCentre(): Plugin {
	return {
		name: 'command-centre',
		async configureServer(server) {
			const { boot } = await server.ssrLoadModule('/src/lib/server/boot.ts');
			const { attachSocket } = await server.ssrLoadModule('/src/lib/server/events/socket/server.ts');
			const { startBackground } = await server.ssrLoadModule('/src/lib/server/background.ts');
			const { config } = await boot();
			if (server.httpServer) await attachSocket(server.httpServer as Server, { redisUrl: config.REDIS_URL, redisPrefix: config.REDIS_PREFIX, maxBacklog: config.SOCKET_MAX_BACKLOG });
			await startBackground(config, { simulated: !process.argv.includes('--no-simulate') });
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), commandCentre()]
});
