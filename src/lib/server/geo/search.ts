import { covers } from '../auth/scope';
import type { Viewer } from '../auth/viewer';
import type { Db } from '../db';
import type { Level } from '$lib/indicators';
import { PATH_COLUMN, type Region } from './regions';

export interface RegionMatch {
	code: string;
	name: string;
	level: Level;
	/** the names above it, province first (山东省 德州市) */
	path: string;
}

const LIMIT = 20;

/**
 * Regions of `levels` whose code starts with `q` or whose name contains it, inside the viewer's
 * scope: the query looks only under the viewer's own region, and `covers` decides each match.
 */
export async function searchRegions(db: Db, viewer: Viewer, q: string, levels: Level[]): Promise<RegionMatch[]> {
	const scope = viewer.scope;
	const text = q.trim();
	if (!scope || !text || !levels.length) return [];
	const like = text.replace(/[\\%_]/g, (c) => `\\${c}`);
	const byCode = /^\d+$/.test(text);
	const rows = await db`
		select r.code, r.name, r.level, r.parent_code, r.province_code, r.city_code, r.county_code, r.township_code,
			concat_ws(' ', p.name, case when c.code <> r.code then c.name end, case when k.code <> r.code then k.name end) as path
		from region r
			left join region p on p.code = r.province_code and p.code <> r.code
			left join region c on c.code = r.city_code
			left join region k on k.code = r.county_code
		where r.level = any(${levels}::text[]) and r.${db(PATH_COLUMN[scope.level])} = ${scope.code}
			and ${byCode ? db`r.code like ${`${like}%`}` : db`r.name like ${`%${like}%`}`}
		order by array_position(array['province', 'city', 'county', 'township', 'village'], r.level), length(r.name), r.code
		limit ${LIMIT}`;
	const matches: RegionMatch[] = [];
	for (const row of rows) {
		const region: Region = {
			code: row.code,
			name: row.name,
			level: row.level,
			parentCode: row.parent_code,
			provinceCode: row.province_code,
			cityCode: row.city_code,
			countyCode: row.county_code,
			townshipCode: row.township_code,
			population: 0,
			isKey: false,
			synthetic: false
		};
		if (await covers(viewer, region)) matches.push({ code: row.code, name: row.name, level: row.level, path: row.path });
	}
	return matches;
}
