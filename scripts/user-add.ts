// `npm run user:add -- --username NAME --role ROLE --scope CODE_OR_TEAM [--password-stdin]`:
// creates a user in DATABASE_URL, or in the embedded database in DATA_DIR, audited as 'system'.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../src/lib/server/auth/viewer';

export const USAGE = `usage: npm run user:add -- --username NAME --role ROLE --scope CODE_OR_TEAM [--password-stdin]

  --username        2–40 lowercase letters, digits, '.', '-' or '_'
  --role            ${ROLES.join(', ')}
  --scope           region code (province or city for leader; province for dispatcher and
                    admin; county for county_officer), or the team id for an inspector
  --password-stdin  read the password from standard input; without it a strong random
                    password is generated and printed once

Stop the server first when it runs on the embedded database in DATA_DIR.`;

export interface UserAddArgs {
	username: string;
	role: Role;
	scope: string;
	passwordStdin: boolean;
}

/** Missing, unknown or malformed flags: the caller prints the usage and exits with 2. */
export class UsageError extends Error {}

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** The command line, checked for shape only; the values themselves are validated by `userInput`. */
export function parseUserAddArgs(argv: string[]): UserAddArgs | 'help' {
	let values;
	try {
		({ values } = parseArgs({
			args: argv,
			strict: true,
			allowPositionals: false,
			options: {
				username: { type: 'string' },
				role: { type: 'string' },
				scope: { type: 'string' },
				'password-stdin': { type: 'boolean', default: false },
				help: { type: 'boolean', short: 'h', default: false }
			}
		}));
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	if (values.help) return 'help';
	const missing = (['username', 'role', 'scope'] as const).filter((name) => !values[name]?.trim());
	if (missing.length) throw new UsageError(`missing ${missing.map((name) => `--${name}`).join(', ')}`);
	const role = values.role!.trim();
	if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
	return { username: values.username!.trim(), role, scope: values.scope!.trim(), passwordStdin: values['password-stdin'] };
}

/** 24 characters of base64url: 144 random bits. */
export const generatePassword = () => randomBytes(18).toString('base64url');

async function readPassword(): Promise<string> {
	if (process.stdin.isTTY) console.error('enter the password, then Ctrl-D:');
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
	// `echo secret | …` adds one line break that is not part of the password
	return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(argv: string[]): Promise<number> {
	let args: UserAddArgs | 'help';
	try {
		args = parseUserAddArgs(argv);
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		console.error(`user:add: ${error.message}\n\n${USAGE}`);
		return 2;
	}
	if (args === 'help') {
		console.log(USAGE);
		return 0;
	}
	const generated = args.passwordStdin ? null : generatePassword();
	const password = generated ?? (await readPassword());

	// loaded here so that the unit test of the argument parser loads no database code
	const { userInput, createUser } = await import('../src/lib/server/auth/users');
	const parsed = userInput.safeParse({ username: args.username, password, role: args.role, scope: args.scope });
	if (!parsed.success) {
		for (const issue of parsed.error.issues) console.error(`user:add: ${issue.path.join('.')}: ${issue.message}`);
		return 1;
	}
	return create(parsed.data, generated, createUser);
}

async function create(input: import('../src/lib/server/auth/users').UserInput, generated: string | null, createUser: typeof import('../src/lib/server/auth/users').createUser): Promise<number> {
	const { loadConfig } = await import('../src/lib/server/config');
	const { closeDatabase, openDatabase } = await import('../src/lib/server/db');
	const { ApiError } = await import('../src/lib/server/http/errors');
	try {
		const config = loadConfig();
		const { kind } = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
		const user = await createUser(null, input);
		console.log(`created ${user.role} '${user.username}' (id ${user.id}, scope ${input.scope}) in the ${kind} database`);
		if (generated) console.log(`password (shown only this once): ${generated}`);
		return 0;
	} catch (error) {
		const message = (error as Error).message;
		const details = error instanceof ApiError ? (error.details ?? []).filter((d) => d.message !== message) : [];
		console.error(`user:add: ${message}${details.map((d) => ` (${d.field}: ${d.message})`).join('')}`);
		return 1;
	} finally {
		await closeDatabase();
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	process.exitCode = await main(process.argv.slice(2));
}
