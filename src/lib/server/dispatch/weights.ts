import { z } from 'zod';
import { sql as defaultSql, type Db, type Sql } from '../db';
import { commitPlan } from '../events/write/post';
import type { PlannedEvent, UserViewer } from '../events/write/planners';
import { findRegion } from '../geo/regions';
import { ApiError } from '../http/errors';
import type { DispatchWeights } from '$lib/types/dispatch';

/**
 * The dispatch priority of a county (飞行检查: "对系统显示和督查发现问题较多的地方"):
 *
 *   base   = overdue·w.overdue + supervised·w.supervised + open·w.open + gaps·w.gaps
 *            + belowTarget·w.belowTarget + key·w.key + min(daysSince, maxDays)/30·w.monthsSince
 *   quiet  = in the quiet period, everything but the overdue and supervised parts counts
 *            w.quiet.factor as much (seed 000: "第三季度…省、市尽可能不安排督促指导，减轻基层负担")
 *   score  = quiet-adjusted base × min(1, daysSince / recentDays)   (the burden rule: a county
 *            inspected recently is held back; one with a team there now scores 0)
 *
 * rounded to two decimals; equal scores share a rank and are listed by county code. A county
 * never inspected counts `maxDays` since. The defaults below hold until a province's admin
 * sets its own.
 */
export const DEFAULT_WEIGHTS: DispatchWeights = {
	overdue: 3,
	supervised: 4,
	open: 1,
	gaps: 0.3,
	belowTarget: 1,
	key: 5,
	monthsSince: 0.5,
	maxDays: 365,
	recentDays: 90,
	quiet: { from: '07-01', to: '09-30', factor: 0.5 }
};

const monthDay = z
	.string()
	.regex(/^\d{2}-\d{2}$/, '日期应为 MM-DD')
	.refine((text) => !Number.isNaN(Date.parse(`2020-${text}T00:00:00Z`)) && new Date(`2020-${text}T00:00:00Z`).toISOString().slice(5, 10) === text, '没有这一天');
const weight = z.number().min(0, '权重不能为负').max(1000, '权重最大1000');

export const weightsInput = z
	.object({
		overdue: weight,
		supervised: weight,
		open: weight,
		gaps: weight,
		belowTarget: weight,
		key: weight,
		monthsSince: weight,
		maxDays: z.number().int('应为整数').min(1, '至少1天').max(3650, '最多3650天'),
		recentDays: z.number().int('应为整数').min(0, '不能为负').max(3650, '最多3650天'),
		quiet: z.object({ from: monthDay, to: monthDay, factor: z.number().min(0, '应在0到1之间').max(1, '应在0到1之间') }).strict().nullable()
	})
	.strict();

/** The weights as the audit log keeps them: every figure, the quiet period in words. */
const flat = (w: DispatchWeights): Record<string, unknown> => ({ ...w, quiet: w.quiet ? `${w.quiet.from}—${w.quiet.to} ×${w.quiet.factor}` : null });

/** The weights a province ranks its counties by. */
export async function weightsOf(province: string, db: Db = defaultSql): Promise<DispatchWeights> {
	const [row] = await db`select weights from dispatch_setting where province_code = ${province}`;
	return row ? { ...DEFAULT_WEIGHTS, ...(row.weights as Partial<DispatchWeights>) } : DEFAULT_WEIGHTS;
}

/** An admin sets the province's weights: audited, and open consoles rank again. */
export async function setWeights(viewer: UserViewer, province: string, weights: DispatchWeights, db: Sql = defaultSql): Promise<DispatchWeights> {
	if (viewer.role !== 'admin') throw new ApiError(403, 'forbidden', '只有管理员可以调整调度权重');
	await commitPlan(
		viewer,
		'dispatch.weights',
		async (tx) => {
			const region = await findRegion(province, tx);
			if (!region || region.level !== 'province') return null;
			const before = await weightsOf(province, tx);
			return {
				entity: 'dispatch_setting',
				entityId: province,
				subject: province,
				subjectRegion: region,
				counts: false,
				before: flat(before),
				audited: (after) => flat(after as unknown as DispatchWeights),
				apply: async (tx) => {
					const [row] = await tx`
						insert into dispatch_setting (province_code, weights, updated_by) values (${province}, ${tx.json(weights as never)}, ${viewer.username})
						on conflict (province_code) do update set weights = excluded.weights, updated_by = excluded.updated_by, updated_at = now()
						returning weights`;
					return row.weights;
				},
				events: (): PlannedEvent[] => [{ type: 'dispatch.weights_changed', sealed: true, payload: { province } }]
			};
		},
		db
	);
	return weightsOf(province, db);
}
