import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['tests/**/*.test.ts'],
		testTimeout: 120_000,
		hookTimeout: 300_000,
		// each file opens its own database; two cores run two files at a time
		maxWorkers: 2,
		fileParallelism: true
	}
});
