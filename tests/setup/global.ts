import type { TestProject } from 'vitest/node';
import { startAppServer, type AppServer } from './app-server';

// One app server, with demo data, for the whole run: the API and browser tests share it.
let server: AppServer | undefined;

export async function setup(project: TestProject) {
	server = await startAppServer({ seed: 'demo' });
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
