import type { TestProject } from 'vitest/node';
import { startAppServer, type AppServer } from './app-server';

// One app server, with demo data, for the whole run: the API and browser tests share it.
let server: AppServer | undefined;

export async function setup(project: TestProject) {
	// the tests speak for several client addresses (login rate limit per address)
	server = await startAppServer({ seed: 'demo', env: { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1', DEADLINE_CHECK_SECONDS: '5' } });
	project.provide('baseUrl', server.baseUrl);
	project.provide('dbUrl', server.dbUrl);
}

export async function teardown() {
	await server?.stop();
}

declare module 'vitest' {
	export interface ProvidedContext {
		baseUrl: string;
		dbUrl: string;
	}
}
