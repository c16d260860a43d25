import { covers } from '../auth/scope';
import type { Viewer } from '../auth/viewer';
import { sql as defaultSql, type Db } from '../db';
import { latestEvents, readerOf } from '../events/log';
import { findRegion, type Region } from '../geo/regions';
import { ApiError } from '../http/errors';
import { regionIndicators } from '../indicators/queries';
import type { IndicatorValues } from '$lib/indicators';
import type { ProblemItem } from '$lib/types/problems';
import type { LiveEvent } from '$lib/types/events';
import { listProblems, ledgerFilters } from './ledger';

export interface Average {
	code: string;
	name: string;
	indicators: IndicatorValues;
}

export interface CountyOffice {
	county: { code: string; name: string; isKey: boolean; cityCode: string | null };
	indicators: IndicatorValues;
	/**
	 * The city's and the province's own figures, each only to a viewer whose scope covers that
	 * region: a county officer reads neither by this or any other path.
	 */
	averages: { city: Average | null; province: Average | null };
	problems: { items: ProblemItem[]; total: number };
	feed: LiveEvent[];
}

/** What the county office's own screen shows first; `county` has passed the scope check. */
export async function countyOffice(viewer: Viewer, county: Region, db: Db = defaultSql): Promise<CountyOffice> {
	if (county.level !== 'county') throw new ApiError(404, 'not_found', '没有找到该县（市、区）');
	const [indicators, problems, feed, city, province] = await Promise.all([
		regionIndicators(county, db),
		// every item not closed: overdue first, then by deadline (the ledger's own order), due within 7 days marked
		listProblems(county, ledgerFilters.parse({ status: 'open,rectifying,submitted' }), { limit: 50, offset: 0 }, db),
		latestEvents(db, county, readerOf(viewer), 30),
		county.cityCode ? average(viewer, county.cityCode, db) : null,
		average(viewer, county.provinceCode, db)
	]);
	return {
		county: { code: county.code, name: county.name, isKey: county.isKey, cityCode: county.cityCode },
		indicators,
		averages: { city, province },
		problems,
		feed
	};
}

async function average(viewer: Viewer, code: string, db: Db): Promise<Average | null> {
	const region = await findRegion(code, db);
	if (!region || !(await covers(viewer, region))) return null;
	return { code: region.code, name: region.name, indicators: await regionIndicators(region, db) };
}
