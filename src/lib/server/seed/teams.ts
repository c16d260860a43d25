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

/** Idle teams waiting in cities spread over their province, the first in the capital. */
export async function seedTeams({ tx, scale }: SeedContext): Promise<void> {
	let number = 0;
	const teams = scale.provinces.flatMap((province) => {
		const count = TEAMS_PER_PROVINCE[province] ?? 2;
		return Array.from({ length: count }, (_, slot) => {
			number += 1;
			return { id: `team-${number}`, name: `第${ordinal(number)}飞行检查组`, province, slot, count };
		});
	});
	await tx`
		insert into team (id, name, status, point, home_region)
		select t.id, t.name, 'idle', c.point, t.province
		from jsonb_to_recordset(${JSON.stringify(teams)}::text::jsonb) as t(id text, name text, province text, slot int, count int),
			lateral (select point from region
				where level = 'city' and province_code = t.province
				order by code
				offset (t.slot * (select count(*) from region where level = 'city' and province_code = t.province)) / t.count
				limit 1) c
		order by t.id`;
}
