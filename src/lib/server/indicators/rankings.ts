import { sql as defaultSql, type Db } from '../db';
import type { Region } from '../geo/regions';
import { INDICATORS, type IndicatorKey, type Level } from '$lib/indicators';
import { indicatorsAt, type Page } from './queries';
import { baselines } from './snapshots';
import { shared } from './cache';
import type { RankingRow } from '$lib/types/wall';


export interface Ranking {
	items: RankingRow[];
	total: number;
	/** the day of the snapshot "change" is measured against */
	since: string | null;
}

/** Ranks best first; equal values share a rank (1, 2, 2, 4); regions without a value come last. */
function ranks(values: (number | null)[], key: IndicatorKey): number[] {
	const order = values.map((value, i) => ({ value, i })).sort((a, b) => compare(a.value, b.value, key));
	const result: number[] = new Array(values.length);
	order.forEach((entry, position) => {
		const previous = order[position - 1];
		result[entry.i] = previous && compare(previous.value, entry.value, key) === 0 ? result[previous.i] : position + 1;
	});
	return result;
}

function compare(a: number | null, b: number | null, key: IndicatorKey): number {
	if (a === b) return 0;
	if (a === null) return 1;
	if (b === null) return -1;
	return INDICATORS[key].higherIsBetter ? b - a : a - b;
}

// rates are fractions: keep the difference free of floating-point dust
const difference = (now: number | null, then: number | null | undefined) =>
	now === null || then === null || then === undefined ? null : Math.round((now - then) * 1e6) / 1e6;

/** The league table (综合排名 and per indicator) of the regions at `level` inside `within`. */
export async function rankings(within: Region, level: Level, key: IndicatorKey, { limit, offset = 0 }: Page = {}, db: Db = defaultSql): Promise<Ranking> {
	// the whole table, shared per version of the data (see indicators/cache.ts), then the page
	const all = db === defaultSql ? await shared(`rankings:${within.code}:${level}:${key}`, () => ranked(within, level, key, db)) : await ranked(within, level, key, db);
	return { ...all, items: all.items.slice(offset, limit === undefined ? undefined : offset + limit) };
}

async function ranked(within: Region, level: Level, key: IndicatorKey, db: Db): Promise<Ranking> {
	const { items } = await indicatorsAt(within, level, {}, db);
	const before = await baselines(items.map((item) => item.code), db);
	const values = items.map((item) => item.indicators[key]);
	const rankNow = ranks(values, key);
	const hasBaseline = items.length > 0 && items.every((item) => before.has(item.code));
	const rankThen = hasBaseline ? ranks(items.map((item) => before.get(item.code)!.values[key] ?? null), key) : null;
	const rows = items
		.map((item, i) => ({
			code: item.code,
			name: item.name,
			rank: rankNow[i],
			value: values[i],
			change: difference(values[i], before.get(item.code)?.values[key]),
			previousRank: rankThen ? rankThen[i] : null,
			isKey: item.isKey
		}))
		.sort((a, b) => a.rank - b.rank || a.code.localeCompare(b.code));
	const since = items.length ? (before.get(items[0].code)?.takenOn ?? null) : null;
	return { items: rows, total: rows.length, since };
}
