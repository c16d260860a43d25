import { regionOf } from '../../../geo/regions';
import type { ChangeStatement, PlannedEvent, Planner } from './plan';

/** A facility's change: its payload's figures, the others as they were. */
export const facilityStatement: ChangeStatement<'facility.updated'> = (tx, p) => tx`
	update facility set doctors = coalesce(${p.doctors ?? null}::int, doctors),
		licensed_doctors = coalesce(${p.licensed_doctors ?? null}::int, licensed_doctors),
		standard_met = coalesce(${p.standard_met ?? null}::boolean, standard_met), updated_at = now()
	where id = ${p.facility} returning *`;

export const facilityChange: Planner<'facility.updated'> = async (tx, p) => {
	// the subject's region is read right behind the row, in the same round trip
	const read = tx`select * from facility where id = ${p.facility} for update`.execute();
	const [[before], subjectRegion] = await Promise.all([read, regionOf(tx, tx`select region_code from facility where id = ${p.facility}`)]);
	if (!before || !subjectRegion) return null;
	return {
		entity: 'facility',
		entityId: p.facility,
		subject: before.region_code,
		subjectRegion,
		counts: true,
		before,
		statement: (tx) => facilityStatement(tx, p),
		events: (after): PlannedEvent[] => [
			{
				type: 'facility.updated',
				payload: {
					facility: p.facility,
					kind: after.kind as string,
					doctors: after.doctors as number,
					licensed_doctors: after.licensed_doctors as number,
					standard_met: after.standard_met as boolean
				}
			}
		]
	};
};
