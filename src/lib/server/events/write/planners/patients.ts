import { regionOf } from '../../../geo/regions';
import type { ChangeStatement, PlannedEvent, Planner } from './plan';
import { day } from './plan';

const PATIENT_COLUMN = {
	'patient.identified': 'identified_on',
	'patient.treated': 'treated_on',
	'patient.followed_up': 'followed_up_on',
	'patient.signed': 'signed_on',
	'patient.enrolled': 'enrolled_on'
} as const;

export type PatientEventType = keyof typeof PATIENT_COLUMN;

/** A patient's step: its day (today when the payload names none); enrolment also marks the patient insured. */
export const patientStatement =
	(type: PatientEventType): ChangeStatement<PatientEventType> =>
	(tx, { patient, date }) => tx`
		update patient set ${tx(PATIENT_COLUMN[type])} = coalesce(${date ?? null}::date, current_date),
			insured = insured or ${type === 'patient.enrolled'}, updated_at = now()
		where id = ${patient} returning *`;

export const patientChange =
	(type: PatientEventType): Planner<PatientEventType> =>
	async (tx, { patient, date }) => {
		// the subject's region is read right behind the row, in the same round trip
		const read = tx`select * from patient where id = ${patient} for update`.execute();
		const [[before], subjectRegion] = await Promise.all([read, regionOf(tx, tx`select village_code from patient where id = ${patient}`)]);
		if (!before || !subjectRegion) return null;
		const column = PATIENT_COLUMN[type];
		return {
			entity: 'patient',
			entityId: patient,
			subject: before.village_code,
			subjectRegion,
			counts: true,
			before,
			statement: (tx) => patientStatement(type)(tx, { patient, date }),
			events: (after): PlannedEvent[] => [{ type, payload: { patient, date: day(after[column]) } }]
		};
	};
