import { z } from 'zod';
import { sql as defaultSql, type Db, type Sql } from '../db';
import { commitPlan } from '../events/write/post';
import type { PlannedEvent, UserViewer } from '../events/write/planners';
import type { Region } from '../geo/regions';
import { ApiError } from '../http/errors';
import type { CrossPair } from '$lib/types/dispatch';

/**
 * 交叉互查 ("组织16个市交叉互查，省级直接定人、定事和定单位"): the province pairs its cities so
 * that each inspects one other and is inspected by one other, none inspects itself and, from
 * three cities on, no two inspect each other. A random order read as a cycle (each city
 * inspects the next) is exactly that: one cycle through every city has no fixed point, and no
 * 2-cycle once it is longer than two.
 */
export function pairCities(cities: readonly string[], random: () => number = Math.random): CrossPair[] {
	if (cities.length < 2) throw new Error('at least two cities are paired');
	const order = [...cities];
	for (let i = order.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[order[i], order[j]] = [order[j], order[i]];
	}
	return order.map((inspector, i) => ({ inspector, target: order[(i + 1) % order.length] }));
}

const DRAWS = 24;

/** A new draw with as few pairs of `previous` as the tries find (a re-draw should change who inspects whom). */
export function redraw(cities: readonly string[], previous: readonly CrossPair[], random: () => number = Math.random): CrossPair[] {
	const before = new Set(previous.map((p) => `${p.inspector}>${p.target}`));
	let best: CrossPair[] | null = null;
	let bestCommon = Infinity;
	for (let i = 0; i < DRAWS && bestCommon > 0; i++) {
		const draw = pairCities(cities, random);
		const common = draw.filter((p) => before.has(`${p.inspector}>${p.target}`)).length;
		if (common < bestCommon) [best, bestCommon] = [draw, common];
	}
	return best!;
}

export const crossInput = z
	.object({
		province: z.string().regex(/^\d{2}0000$/, '应为省级代码（6位，以0000结尾）'),
		cities: z
			.array(z.string().regex(/^\d{4}00$/, '应为市级代码（6位，以00结尾）'))
			.min(2, '至少两个市')
			.max(50, '最多50个市')
			.refine((list) => new Set(list).size === list.length, '市不能重复')
			.optional()
	})
	.strict();

const invalid = (field: string, message: string) => new ApiError(422, 'invalid_fields', '字段校验未通过', [{ field, message }]);

/** The pairs of the province's current round (its assignments not cancelled), and the round. */
async function currentRound(db: Db, province: string): Promise<{ id: number | null; items: CrossPair[] }> {
	const rows = await db`
		select x.id, a.inspector_region as inspector, a.county_code as target
		from cross_inspection x join assignment a on a.cross_inspection_id = x.id
		where x.province_code = ${province} and a.status <> 'cancelled'
			and x.id = (select max(id) from cross_inspection where province_code = ${province})
		order by a.id`;
	return { id: rows.length ? Number(rows[0].id) : null, items: rows.map((r) => ({ inspector: r.inspector, target: r.target })) };
}

/** `GET /api/cross-inspections`: the province's current round. */
export async function crossInspectionOf(province: Region, db: Db = defaultSql): Promise<{ id: number | null; items: CrossPair[]; total: number }> {
	const round = await currentRound(db, province.code);
	return { ...round, total: round.items.length };
}

/**
 * Draws the province's cities (all of them, or those named) into cross-inspection pairs and
 * stores each pair as an assignment of the inspecting city; a new draw cancels what is left
 * of the previous round. Sealed: the province tells each city its part itself (定单位).
 */
export async function drawCrossInspection(
	viewer: UserViewer,
	province: Region,
	cities: string[] | undefined,
	{ random = Math.random, db = defaultSql }: { random?: () => number; db?: Sql } = {}
): Promise<{ id: number; items: CrossPair[] }> {
	let drawn: { id: number; items: CrossPair[] } = { id: 0, items: [] };
	await commitPlan(
		viewer,
		'cross_inspection.draw',
		async () => ({
			entity: 'cross_inspection',
			entityId: null,
			subject: province.code,
			subjectRegion: province,
			counts: false,
			before: null,
			// the pairs in one line: the log reads as words, not records
			audited: (after) => ({
				round: after.id,
				pairs: (after.items as CrossPair[]).map((p) => `${p.inspector}→${p.target}`).join('，'),
				replaced: after.replaced
			}),
			mayPost: async (viewer, subject) => viewer.role === 'dispatcher' && subject.code === province.code && viewer.scope?.code === province.code,
			apply: async (tx) => {
				// one draw of a province at a time
				await tx`select pg_advisory_xact_lock(7313, hashtext(${province.code}))`;
				const all = (await tx`select code from region where level = 'city' and province_code = ${province.code} order by code`).map((r) => r.code as string);
				const chosen = cities ?? all;
				const stranger = chosen.findIndex((code) => !all.includes(code));
				if (stranger >= 0) throw invalid(`cities.${stranger}`, '该市不在本省');
				if (chosen.length < 2) throw invalid('cities', '至少两个市才能交叉互查');
				const previous = await currentRound(tx, province.code);
				const items = redraw(chosen, previous.items, random);
				if (previous.id !== null) {
					await tx`
						update assignment set status = 'cancelled', ended_at = now()
						where cross_inspection_id = ${previous.id} and status in ('assigned', 'underway')`;
				}
				const [round] = await tx`
					insert into cross_inspection (province_code, drawn_by) values (${province.code}, ${viewer.username})
					returning id, created_at::date::text as today`;
				const rows = items.map((pair) => ({
					inspector_region: pair.inspector,
					county_code: pair.target,
					cross_inspection_id: round.id,
					unannounced: false,
					reason: '交叉互查',
					assigned_by: viewer.username,
					starts_on: round.today
				}));
				await tx`insert into assignment ${tx(rows)}`;
				drawn = { id: Number(round.id), items };
				return { id: Number(round.id), items, replaced: previous.id };
			},
			events: (after): PlannedEvent[] => [
				{
					type: 'cross_inspection.drawn',
					sealed: true,
					payload: { round: after.id as number, province: province.code, items: after.items as CrossPair[], replaced: after.replaced as number | null }
				}
			]
		}),
		db
	);
	return drawn;
}
