import { z } from 'zod';

const schema = z.object({
	PORT: z.coerce.number().int().min(0).max(65535).default(3000),
	HOST: z.string().default('0.0.0.0'),
	DATABASE_URL: z.preprocess(
		(value) => (value === '' ? undefined : value),
		z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL').optional()
	),
	REDIS_URL: z.preprocess(
		(value) => (value === '' ? undefined : value),
		z.string().regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL').optional()
	),
	/** the prefix of the Redis keys the app nodes share: one per deployment on a shared Redis */
	REDIS_PREFIX: z.string().regex(/^[\w:.-]{1,60}$/, 'REDIS_PREFIX: letters, digits, _ : . - only').default('hcc'),
	DATA_DIR: z.string().default('./data'),
	EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
	SEED: z.enum(['demo', 'full', 'none']).optional(),
	SEED_RANDOM: z.coerce.number().int().default(20191225),
	SHUTDOWN_TIMEOUT: z.coerce.number().int().min(0).default(10),
	/** how often a node looks for commits no one announced (another node's, while Redis was away) */
	LOG_POLL_SECONDS: z.coerce.number().min(0.1).max(3600).default(2),
	DEADLINE_CHECK_SECONDS: z.coerce.number().int().min(1).default(60),
	// an overdue problem escalates to the city past the first limit, to the province past the second (days)
	ESCALATE_CITY_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
	ESCALATE_PROVINCE_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
	/** the largest evidence file (image or PDF) a rectification may carry, in MB */
	EVIDENCE_MAX_MB: z.coerce.number().positive().max(100).default(10),
	/** events' packets a socket may have waiting (a client that stopped reading) before it is let go */
	SOCKET_MAX_BACKLOG: z.coerce.number().int().min(100).max(1_000_000).default(5_000),
	/** API writes handed to the app at once; later ones wait their turn, holding only their socket */
	WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(32),
	/** API reads one session or kiosk token has in the app at once; up to READ_QUEUE more wait, later ones get 429 */
	READ_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(2),
	READ_QUEUE: z.coerce.number().int().min(0).max(10_000).default(16),
	/** how long an API read may take before it is answered 503 and its queries are cancelled (ms) */
	READ_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
	SIMULATE_PER_MINUTE: z.coerce.number().min(0).max(6000).default(30),
	// the wall screen: a county silent for longer is marked; the unattended tour's step
	WALL_STALE_MINUTES: z.coerce.number().positive().max(60 * 24 * 30).default(120),
	WALL_TOUR_SECONDS: z.coerce.number().int().min(5).max(3600).default(20),
	// first day of the campaign's deployment phase; without it the demo places today in rectification
	CAMPAIGN_START: z
		.string()
		.regex(/^\d{4}-\d{2}-\d{2}$/, 'CAMPAIGN_START must be a date, YYYY-MM-DD')
		.refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)), 'CAMPAIGN_START is not a real day')
		.optional()
});

export type Config = z.infer<typeof schema>;

const checked = schema.refine((c) => c.ESCALATE_PROVINCE_DAYS > c.ESCALATE_CITY_DAYS, {
	message: 'ESCALATE_PROVINCE_DAYS must be more than ESCALATE_CITY_DAYS',
	path: ['ESCALATE_PROVINCE_DAYS']
});

/** Reads the environment once at boot; a bad value stops the start with what to set. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const result = checked.safeParse(env);
	if (!result.success) {
		const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
		throw new Error(`invalid configuration:\n${lines.join('\n')}`);
	}
	return result.data;
}
