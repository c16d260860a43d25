import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// the one origin check is in src/hooks.server.ts, for every write (forms and API), answered in the contract's shape
		csrf: { trustedOrigins: ['*'] },
		// every page's policy, with a nonce for SvelteKit's inline start-up script; nothing from another host
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				// Svelte's style attributes and MapLibre's controls set inline styles
				'style-src': ['self', 'unsafe-inline'],
				// MapLibre draws into a canvas from workers it makes from a blob: URL
				'worker-src': ['self', 'blob:'],
				'img-src': ['self', 'data:', 'blob:'],
				'font-src': ['self'],
				// the API and the socket.io connection, same origin only
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
