import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, startAppServer, type AppServer } from '../../../tests/setup/app-server';

export interface ProbeReport {
	loop: { p50: number; p99: number; max: number };
	rssMb: number;
	peakRssMb: number;
	heapMb: number;
	cpuPercent: number;
}

export const PROBE = ['--import', resolve('scripts/bench/probe.js')];

let nextId = 0;

/** Asks the probe preloaded in `child` for its figures since the last reset. */
export function askProbe(child: ChildProcess): Promise<ProbeReport> {
	const id = ++nextId;
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('probe did not answer')), 10_000);
		const listener = (message: { probe?: string; id?: number } & ProbeReport) => {
			if (message?.probe !== 'report' || message.id !== id) return;
			clearTimeout(timer);
			child.off('message', listener);
			resolve(message);
		};
		child.on('message', listener);
		child.send({ probe: 'report', id });
	});
}

export const resetProbe = (child: ChildProcess) => child.send({ probe: 'reset' });

/** The production server on `databaseUrl`, with the probe preloaded. */
export async function startMeasuredApp(databaseUrl: string, logFile: string) {
	// BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops
	const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
	const app = await startAppServer({ databaseUrl, seed: 'none', nodeArgs: [...PROBE, ...profile], ipc: true, logFile });
	return Object.assign(app, { probe: () => askProbe(app.child), resetProbe: () => resetProbe(app.child) }) as AppServer & {
		probe(): Promise<ProbeReport>;
		resetProbe(): void;
	};
}

/** The bare socket.io server of `bare-server.ts`, with the probe preloaded. */
export async function startBare() {
	const port = await freePort();
	const child = spawn(process.execPath, [...PROBE, '--import', 'tsx', 'scripts/bench/bare-server.ts'], {
		env: { ...process.env, PORT: String(port) },
		stdio: ['ignore', 'ignore', 'inherit', 'ipc']
	});
	const baseUrl = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 100; i++) {
		try {
			if ((await fetch(`${baseUrl}/api/health`)).ok) break;
		} catch {
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	return {
		baseUrl,
		child,
		probe: () => askProbe(child),
		resetProbe: () => resetProbe(child),
		async stop() {
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			await exited;
		}
	};
}
