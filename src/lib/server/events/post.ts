import { sql as defaultSql, type Db, type Sql } from '../db';
import { audit } from '../auth/audit';
import { covers } from '../auth/scope';
import type { Role, Viewer } from '../auth/viewer';
import { findRegion, type Region } from '../geo/regions';
import { ApiError } from '../http/errors';
import { changeUnits } from '../indicators/counters';
import { regionIndicators } from '../indicators/queries';
import type { Level } from '$lib/indicators';
import type { PostedEventType } from '$lib/types/events';
import { appendEvent, seqOfKey, type StoredEvent } from './log';
import { publish } from './publish';
import type { PostedEvent, PostedPayload } from './types';

// two-key advisory locks: a key space apart from the event lock's single key
const KEY_LOCK_CLASS = 7311;

/** Who may post progress events (SPEC §5); the scope check then bounds where. */
export const POSTERS: Role[] = ['county_officer', 'dispatcher'];

interface Change {
	entity: string;
	entityId: string | number;
	/** the region whose counters the change moves */
	unit: string;
	before: Record<string, unknown>;
	apply: (tx: Db) => Promise<Record<string, unknown>>;
	/** the event's payload, from the record as the change left it */
	payload: (after: Record<string, unknown>) => object;
}

type Planner<T extends PostedEventType> = (tx: Db, payload: PostedPayload<T>) => Promise<Change | null>;

const PATIENT_COLUMN = {
	'patient.treated': 'treated_on',
	'patient.followed_up': 'followed_up_on',
	'patient.signed': 'signed_on',
	'patient.enrolled': 'enrolled_on'
} as const;

const patientChange =
	(type: keyof typeof PATIENT_COLUMN): Planner<keyof typeof PATIENT_COLUMN> =>
	async (tx, { patient, date }) => {
		const [before] = await tx`select * from patient where id = ${patient} for update`;
		if (!before) return null;
		const column = PATIENT_COLUMN[type];
		return {
			entity: 'patient',
			entityId: patient,
			unit: before.village_code,
			before,
			apply: async (tx) => {
				const [after] = await tx`
					update patient set ${tx(column)} = coalesce(${date ?? null}::date, current_date),
						insured = insured or ${type === 'patient.enrolled'}, updated_at = now()
					where id = ${patient} returning *`;
				return after;
			},
			payload: (after) => ({ patient, date: day(after[column]) })
		};
	};

const day = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value));

const facilityChange: Planner<'facility.updated'> = async (tx, p) => {
	const [before] = await tx`select * from facility where id = ${p.facility} for update`;
	if (!before) return null;
	return {
		entity: 'facility',
		entityId: p.facility,
		unit: before.region_code,
		before,
		apply: async (tx) => {
			const [after] = await tx`
				update facility set doctors = coalesce(${p.doctors ?? null}::int, doctors),
					licensed_doctors = coalesce(${p.licensed_doctors ?? null}::int, licensed_doctors),
					standard_met = coalesce(${p.standard_met ?? null}::boolean, standard_met), updated_at = now()
				where id = ${p.facility} returning *`;
			return after;
		},
		payload: (after) => ({
			facility: p.facility,
			kind: after.kind,
			doctors: after.doctors,
			licensed_doctors: after.licensed_doctors,
			standard_met: after.standard_met
		})
	};
};

// rectification moves one way: 立行立改 → 整改中 → 销号
const NEXT_STATUS: Record<string, string | undefined> = { open: 'rectifying', rectifying: 'closed' };

const problemChange: Planner<'problem.status_changed'> = async (tx, p) => {
	const [before] = await tx`select * from problem where id = ${p.problem} for update`;
	if (!before) return null;
	return {
		entity: 'problem',
		entityId: p.problem,
		unit: before.region_code,
		before,
		apply: async (tx) => {
			if (NEXT_STATUS[before.status] !== p.status) {
				throw new ApiError(422, 'invalid_fields', '字段校验未通过', [
					{ field: 'payload.status', message: `问题状态不能从 ${before.status} 改为 ${p.status}` }
				]);
			}
			const [after] = await tx`
				update problem set status = ${p.status},
					closed_at = case when ${p.status} = 'closed' then now() end, updated_at = now()
				where id = ${p.problem} returning *`;
			return after;
		},
		payload: (after) => ({ problem: p.problem, code: after.code, status: after.status, from: before.status })
	};
};

const PLANNERS: { [T in PostedEventType]: Planner<T> } = {
	'patient.treated': patientChange('patient.treated'),
	'patient.followed_up': patientChange('patient.followed_up'),
	'patient.signed': patientChange('patient.signed'),
	'patient.enrolled': patientChange('patient.enrolled'),
	'facility.updated': facilityChange,
	'problem.status_changed': problemChange
};

const forbidden = () => new ApiError(403, 'forbidden', '无权对该对象提交事件');

/** The county, city and province of `region` with their indicators as `tx` now sees them. */
export async function indicatorsAbove(tx: Db, region: Region) {
	const levels: [Level, string | null][] = [
		['county', region.countyCode],
		['city', region.cityCode],
		['province', region.provinceCode]
	];
	const regions = [];
	for (const [level, code] of levels) {
		if (!code) continue;
		const above = code === region.code ? region : await findRegion(code, tx);
		if (above) regions.push({ code, level, indicators: await regionIndicators(above, tx) });
	}
	return regions;
}

export interface Posted {
	seq: number;
	/** true when the idempotency key had been used: nothing was applied this time */
	repeated: boolean;
}

/**
 * Applies a progress event: the record, its counters, the audit row, the event and the new
 * indicators, in one transaction; broadcast after commit. The region comes from the subject.
 */
export async function postEvent(viewer: Viewer, input: PostedEvent, idempotencyKey: string | null, db: Sql = defaultSql): Promise<Posted> {
	if (viewer.kind !== 'user' || !POSTERS.includes(viewer.role)) throw forbidden();
	// keys are the poster's own: another user's key neither collides nor replays
	const key = idempotencyKey === null ? null : `${viewer.username}:${idempotencyKey}`;
	const result = await db.begin(async (tx) => {
		if (key) {
			// a retry waits for the first attempt, then finds its event
			await tx`select pg_advisory_xact_lock(${KEY_LOCK_CLASS}::int, hashtext(${key}))`;
			const seq = await seqOfKey(tx, key);
			if (seq !== null) return { seq, repeated: true, events: [] as StoredEvent[] };
		}
		const change = await (PLANNERS[input.type] as Planner<PostedEventType>)(tx, input.payload);
		if (!change) throw new ApiError(404, 'not_found', '没有找到该记录');
		const region = await findRegion(change.unit, tx);
		if (!region || !(await covers(viewer, region))) throw forbidden();
		const after = await changeUnits(tx, [change.unit], () => change.apply(tx));
		await audit(tx, viewer, { action: input.type, entity: change.entity, entityId: change.entityId, before: change.before, after });
		const regions = await indicatorsAbove(tx, region);
		const event = await appendEvent(tx, { type: input.type, region, actor: viewer.username, payload: change.payload(after), idempotencyKey: key });
		const indicators = await appendEvent(tx, {
			type: 'indicators.changed',
			region: { province: region.provinceCode, city: region.cityCode, county: region.countyCode, township: null, village: null },
			actor: viewer.username,
			payload: { regions, cause: event.seq }
		});
		return { seq: event.seq, repeated: false, events: [event, indicators] };
	});
	if (result.events.length) publish(result.events[0].seq);
	return { seq: result.seq, repeated: result.repeated };
}
