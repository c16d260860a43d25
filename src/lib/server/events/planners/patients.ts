import type { Planner } from './plan';
import { day } from './plan';

const PATIENT_COLUMN = {
	'patient.identified': 'identified_on',
	'patient.treated': 'treated_on',
	'patient.followed_up': 'followed_up_on',
	'patient.signed': 'signed_on',
	'patient.enrolled': 'enrolled_on'
} as const;

export type PatientEventType = keyof typeof PATIENT_COLUMN;

export const patientChange =
	(type: PatientEventType): Planner<PatientEventType> =>
	async (tx, { patient, date }) => {
		const [before] = await tx`select * from patient where id = ${patient} for update`;
		if (!before) return null;
		const column = PATIENT_COLUMN[type];
		return {
			entity: 'patient',
			entityId: patient,
			subject: before.village_code,
			counts: true,
			oneStatement: true,
			before,
			apply: async (tx) => {
				const [after] = await tx`
					update patient set ${tx(column)} = coalesce(${date ?? null}::date, current_date),
						insured = insured or ${type === 'patient.enrolled'}, updated_at = now()
					where id = ${patient} returning *`;
				return after;
			},
			events: (after) => [{ type, payload: { patient, date: day(after[column]) } }]
		};
	};
