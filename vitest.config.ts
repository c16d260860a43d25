import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	resolve: { alias: { $lib: resolve('src/lib') } },
	test: {
		testTimeout: 120_000,
		hookTimeout: 300_000,
		// each file opens its own database; two cores run two files at a time
		maxWorkers: 2,
		projects: [
			{ extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
			{ extends: true, test: { name: 'db', include: ['tests/db/**/*.test.ts'] } },
			{
				extends: true,
				// servers of their own, restarted and run side by side; the pages' live client compiled as in the app
				plugins: [svelte()],
				test: { name: 'live', include: ['tests/live/**/*.test.ts'] }
			},
			{
				extends: true,
				// one built app server with demo data serves the API and browser tests
				test: { name: 'app', include: ['tests/api/**/*.test.ts', 'tests/e2e/**/*.test.ts', 'tests/fuzz/**/*.test.ts'], globalSetup: ['tests/setup/global.ts'] }
			}
		]
	}
});
