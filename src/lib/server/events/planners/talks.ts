import { findRegion } from '../../geo/regions';
import { ApiError } from '../../http/errors';
import { day, type Planner } from './plan';

/** 约谈: the province summons a city's or county's leader over lagging work; on the record. */
export const talkRecord: Planner<'talk.recorded'> = async (tx, p, viewer) => {
	const region = await findRegion(p.region, tx);
	if (region && region.level !== 'city' && region.level !== 'county') {
		throw new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field: 'payload.region', message: '约谈对象应为市或县' }]);
	}
	if (!region) return null;
	return {
		entity: 'talk',
		entityId: null,
		subject: region.code,
		subjectRegion: region,
		counts: false,
		before: null,
		apply: async (tx) => {
			const [talk] = await tx`
				insert into talk (region_code, leader, reason, held_on, recorded_by)
				values (${region.code}, ${p.leader}, ${p.reason}, coalesce(${p.held_on ?? null}::date, current_date), ${viewer.username})
				returning *`;
			return talk;
		},
		events: (after) => [
			{
				type: 'talk.recorded',
				payload: {
					talk: Number(after.id),
					region: { code: region.code, name: region.name, level: region.level },
					leader: p.leader,
					reason: p.reason,
					heldOn: day(after.held_on)
				}
			}
		]
	};
};
