import type { SeedContext } from './types';

/** Flight-inspection teams per province (飞行检查组), numbered across provinces in seed order. */
const TEAMS_PER_PROVINCE: Record<string, number> = { '370000': 6, '620000': 4, '640000': 2, '210000': 3 };

const NUMERALS = [...'一二三四五六七八九十'];

/** 第一, 第十二, 第二十 … */
export function ordinal(n: number): string {
	if (n <= 10) return NUMERALS[n - 1];
	const tens = Math.floor(n / 10);
	const units = n % 10;
	return `${tens > 1 ? NUMERALS[tens - 1] : ''}十${units ? NUMERALS[units - 1] : ''}`;
}

/** Idle teams waiting in cities spread over their province, the first in the capital; and the visits they made. */
export async function seedTeams(ctx: SeedContext): Promise<void> {
	await placeTeams(ctx);
	await seedPastInspections(ctx);
}

async function placeTeams({ tx, scale }: SeedContext): Promise<void> {
	let number = 0;
	const teams = scale.provinces.flatMap((province) => {
		const count = TEAMS_PER_PROVINCE[province] ?? 2;
		return Array.from({ length: count }, (_, slot) => {
			number += 1;
			return { id: `team-${number}`, name: `第${ordinal(number)}飞行检查组`, province, slot, count };
		});
	});
	await tx`
		insert into team (id, name, status, point, home_point, home_region)
		select t.id, t.name, 'idle', c.point, c.point, t.province
		from jsonb_to_recordset(${JSON.stringify(teams)}::text::jsonb) as t(id text, name text, province text, slot int, count int),
			lateral (select point from region
				where level = 'city' and province_code = t.province
				order by code
				offset (t.slot * (select count(*) from region where level = 'city' and province_code = t.province)) / t.count
				limit 1) c
		order by t.id`;
}

/**
 * The year's flight inspections before the data's day (seed 000: "共暗访 8 个市 14 个县"): about
 * one county in ten, in a different city each where it can, visited unannounced by one of the
 * province's teams 20 to 330 days before, so that "days since the last inspection" differs.
 */
async function seedPastInspections({ tx, salt, options }: SeedContext): Promise<void> {
	await tx`
		with c as (
			select code, province_code, city_code, pg_temp.seed_u(${salt('inspected')}, code) as u from region where level = 'county'
		),
		-- first one county of each city, then a second of each …, each round in the seed's order
		spread as (select *, row_number() over (partition by city_code order by u) as in_city from c),
		picked as (
			select *, row_number() over (partition by province_code order by in_city, u) as nth,
				count(*) over (partition by province_code) as counties,
				${options.asOf}::date - pg_temp.seed_int(${salt('inspected-on')}, code, 20, 330) as ended
			from spread
		)
		insert into assignment (team_id, county_code, unannounced, reason, status, starts_on, ends_on, visited_on, ended_at)
		select t.id, p.code, true, '流动暗访', 'done', p.ended - 2, p.ended, p.ended - 2, p.ended::timestamptz
		from picked p,
			lateral (select t.id from team t join region h on h.code = t.home_region
				where h.province_code = p.province_code
				order by md5(${salt('inspected-by')} || p.code || t.id) limit 1) t
		where p.nth <= greatest(1, round(p.counties / 10.0))
		order by p.code`;
}
