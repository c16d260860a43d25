import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB of memory, 2 iterations, 1 lane
// (2 is Algorithm.Argon2id, a const enum that isolated modules cannot import)
const PARAMS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
	return hash(password, PARAMS);
}

// verified against when the account does not exist, so both answers take the same time
let decoy: Promise<string> | undefined;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
	if (!stored) {
		decoy ??= hashPassword('decoy password that matches nothing');
		await verify(await decoy, password).catch(() => false);
		return false;
	}
	return verify(stored, password).catch(() => false);
}
