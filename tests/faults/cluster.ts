// A private PostgreSQL cluster for a test that restarts its database: the machine's shared server
// on 5432 serves other runs and must never be restarted. initdb refuses to run as root, so as
// root the cluster belongs to the `postgres` OS user.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../setup/app-server';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export const clusterAvailable = () => existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'));

export interface Cluster {
	url: (database: string) => string;
	restart(pauseMs?: number): Promise<void>;
	stop(): void;
	start(): void;
	destroy(): void;
}

function run(args: string[]) {
	const asRoot = userInfo().uid === 0;
	const [command, ...rest] = asRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
	return execFileSync(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export async function startCluster(): Promise<Cluster> {
	const dir = mkdtempSync(join(tmpdir(), 'hcc-pg-'));
	chmodSync(dir, 0o777);
	const data = join(dir, 'data');
	const port = await freePort();
	if (userInfo().uid === 0) execFileSync('chown', ['postgres', dir]);
	run([join(BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
	const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on`;
	const start = () => run([join(BIN, 'pg_ctl'), '-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
	const stop = () => run([join(BIN, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop']);
	start();
	return {
		url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
		start,
		stop,
		async restart(pauseMs = 3000) {
			stop();
			await new Promise((r) => setTimeout(r, pauseMs));
			start();
		},
		destroy() {
			try {
				stop();
			} catch {
				// already stopped
			}
			rmSync(dir, { recursive: true, force: true });
		}
	};
}
