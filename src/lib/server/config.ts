import { z } from 'zod';

const schema = z.object({
	PORT: z.coerce.number().int().min(0).max(65535).default(3000),
	HOST: z.string().default('0.0.0.0'),
	DATABASE_URL: z.preprocess(
		(value) => (value === '' ? undefined : value),
		z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL').optional()
	),
	DATA_DIR: z.string().default('./data'),
	EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
	SEED: z.enum(['demo', 'full', 'none']).optional(),
	SEED_RANDOM: z.coerce.number().int().default(20191225),
	SHUTDOWN_TIMEOUT: z.coerce.number().int().min(0).default(10),
	DEADLINE_CHECK_SECONDS: z.coerce.number().int().min(1).default(60),
	SIMULATE_PER_MINUTE: z.coerce.number().min(0).max(6000).default(30)
});

export type Config = z.infer<typeof schema>;

/** Reads the environment once at boot; a bad value stops the start with what to set. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const result = schema.safeParse(env);
	if (!result.success) {
		const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
		throw new Error(`invalid configuration:\n${lines.join('\n')}`);
	}
	return result.data;
}
