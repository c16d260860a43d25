import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	resolve: { alias: { $lib: resolve('src/lib') } },
	test: {
		include: ['tests/**/*.test.ts'],
		globalSetup: ['tests/setup/global.ts'],
		testTimeout: 120_000,
		hookTimeout: 300_000,
		// each file opens its own database; two cores run two files at a time
		maxWorkers: 2,
		fileParallelism: true
	}
});
