import { KEY_COUNTIES } from './key-counties';
import type { SeedContext } from './types';

export async function markKeyCounties({ tx, scale }: SeedContext): Promise<void> {
	const codes = scale.provinces.flatMap((province) => KEY_COUNTIES[province] ?? []);
	await tx`update region set is_key = true where level = 'county' and code = any(${codes}::text[])`;
}

/** A village in a key county is three times as likely to be a key village. */
const KEY_COUNTY_WEIGHT = 3;

/**
 * Key villages (省扶贫工作重点村): exactly the real number where the scale fixes it (8,560 in
 * Shandong), otherwise the same share of the province's villages; never a merged village.
 */
export async function markKeyVillages({ tx, scale, salt }: SeedContext): Promise<void> {
	const exact = scale.exact ?? null;
	await tx`
		update region r set is_key = true
		from (
			select v.code, v.province_code,
				row_number() over (partition by v.province_code
					order by pg_temp.seed_u(${salt('key-village')}, v.code) / case when c.is_key then ${KEY_COUNTY_WEIGHT} else 1 end, v.code) as rank,
				count(*) over (partition by v.province_code) as villages
			from region v join region c on c.code = v.county_code
			where v.level = 'village' and v.exempt is distinct from 'merged'
		) k
		where r.code = k.code
			and k.rank <= case when k.province_code = ${exact?.province ?? null}::text then ${exact?.keyVillages ?? null}::int
				else round(k.villages * ${scale.keyVillageShare}::float8) end`;
}
