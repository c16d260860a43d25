import { covers } from '../../../auth/scope';
import { findRegion } from '../../../geo/regions';
import { ApiError } from '../../../http/errors';
import { day, type PlannedEvent, type Planner } from './plan';

const invalid = (field: string, message: string) => new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field, message }]);

/**
 * 约谈: the province summons a city's or county's leader over lagging work, on the record; it
 * may name the ledger item it was about. The event lies at the region: the county (or city)
 * sees that its leader was summoned.
 */
export const talkRecord: Planner<'talk.recorded'> = async (tx, p, viewer) => {
	const region = await findRegion(p.region, tx);
	// a region out of the poster's scope is answered as one that does not exist, before its level is looked at
	if (!region || !(await covers(viewer, region))) return null;
	if (region.level !== 'city' && region.level !== 'county') throw invalid('payload.region', '约谈对象应为市或县');
	return {
		entity: 'talk',
		entityId: null,
		subject: region.code,
		subjectRegion: region,
		counts: false,
		before: null,
		apply: async (tx) => {
			// checked once the region is known to be the poster's: the same answer for a problem elsewhere and none at all
			if (p.problem !== undefined) {
				const [inside] = await tx`
					select 1 from problem p join region r on r.code = p.region_code
					where p.id = ${p.problem} and ${region.level === 'city' ? tx`r.city_code` : tx`r.county_code`} = ${region.code}`;
				if (!inside) throw invalid('payload.problem', '约谈对象的问题台账中没有该问题');
			}
			const [talk] = await tx`
				insert into talk (region_code, leader, reason, held_on, recorded_by, problem_id)
				values (${region.code}, ${p.leader}, ${p.reason}, coalesce(${p.held_on ?? null}::date, current_date), ${viewer.username}, ${p.problem ?? null})
				returning *`;
			return talk;
		},
		events: (after): PlannedEvent[] => [
			{
				type: 'talk.recorded',
				payload: {
					talk: Number(after.id),
					region: { code: region.code, name: region.name, level: region.level },
					leader: p.leader,
					reason: p.reason,
					heldOn: day(after.held_on),
					problem: p.problem ?? null
				}
			}
		]
	};
};
