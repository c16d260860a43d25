import type { Planner } from './plan';

export const facilityChange: Planner<'facility.updated'> = async (tx, p) => {
	const [before] = await tx`select * from facility where id = ${p.facility} for update`;
	if (!before) return null;
	return {
		entity: 'facility',
		entityId: p.facility,
		subject: before.region_code,
		counts: true,
		oneStatement: true,
		before,
		apply: async (tx) => {
			const [after] = await tx`
				update facility set doctors = coalesce(${p.doctors ?? null}::int, doctors),
					licensed_doctors = coalesce(${p.licensed_doctors ?? null}::int, licensed_doctors),
					standard_met = coalesce(${p.standard_met ?? null}::boolean, standard_met), updated_at = now()
				where id = ${p.facility} returning *`;
			return after;
		},
		events: (after) => [
			{
				type: 'facility.updated',
				payload: {
					facility: p.facility,
					kind: after.kind,
					doctors: after.doctors,
					licensed_doctors: after.licensed_doctors,
					standard_met: after.standard_met
				}
			}
		]
	};
};
