import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// `npm run test:faults`: tests that kill servers and restart databases, one file at a time.
export default defineConfig({
	resolve: { alias: { $lib: resolve('src/lib') } },
	test: { name: 'faults', include: ['tests/faults/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false }
});
