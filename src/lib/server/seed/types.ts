import type postgres from 'postgres';

export type Scale = 'test' | 'demo' | 'full';

export interface SeedOptions {
	scale: Scale;
	/** any integer; the same (scale, random, asOf) gives identical rows */
	random: number;
	/** the day the data describes, YYYY-MM-DD; every date in it is on or before this day */
	asOf: string;
	/** where the county boundary files are; db/boundaries under the working directory by default */
	boundariesDir?: string;
}

/** The transaction the seed runs in. */
export type Tx = postgres.TransactionSql;

/** What one step needs: the transaction, the options and the scale's parameters. */
export interface SeedContext {
	tx: Tx;
	options: SeedOptions;
	scale: import('./scales').ScaleParams;
	/** the salt prefix of every pseudo-random value: `<random>:` */
	salt: (name: string) => string;
}
