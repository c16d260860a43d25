// Builds the app when build/ is missing or older than the sources: the pages and API (vite), then
// the production entry (server/index.ts) bundled into build/server.js and the embedded database's
// own process (src/lib/server/db/embedded-process.ts) into build/embedded-db.js, so that the server runs on
// plain Node (under the tsx loader it held ~95 MB more at idle). Used by `npm start`, `npm run
// build` and the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

function newest(path) {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const BUILT = ['build/handler.js', 'build/server.js', 'build/embedded-db.js'];
const SOURCES = ['src', 'server', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

/** The production entry, its own modules bundled in, packages and the SvelteKit build left outside. */
export function buildServer() {
	const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' };
	buildSync({
		...common,
		entryPoints: ['server/index.ts'],
		outfile: 'build/server.js',
		// resolved from build/ at run time: the same file
		external: ['../build/handler.js']
	});
	// forked by the server when it runs the embedded database (src/lib/server/db/embedded.ts)
	buildSync({ ...common, entryPoints: ['src/lib/server/db/embedded-process.ts'], outfile: 'build/embedded-db.js' });
}

export function build() {
	const vite = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
	if (vite.status !== 0) throw new Error(`vite build failed (${vite.status})`);
	buildServer();
}

export function ensureBuilt() {
	const built = Math.min(...BUILT.map(newest));
	if (built > 0 && built >= Math.max(...SOURCES.map(newest))) return;
	console.log('building…');
	build();
}

if (import.meta.url === `file://${process.argv[1]}`) build();
