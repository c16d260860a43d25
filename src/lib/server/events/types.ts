import { z } from 'zod';
import { PROBLEM_CATEGORIES, PROBLEM_SOURCES, PROBLEM_STATUSES, SUPERVISION_LEVELS, TEAM_STATUSES, type PostedEventType } from '$lib/types/events';
// a field record's date is a past day, a deadline or a start a coming one (http/input.ts)
import { pastDay as day, upcomingDay as upcoming } from '../http/input';

export { upcomingDay } from '../http/input';
const patientId = z.string().regex(/^[A-Za-z0-9_-]{4,40}$/, '患者编号不正确');
const count = z.number().int('应为整数').min(0, '不能为负数').max(10_000, '数值过大');

const problemId = z.number().int('应为整数').positive('问题编号不正确');
const teamId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, '检查组编号不正确');
const regionCode = z.string().regex(/^(\d{6}|\d{9}|\d{12})$/, '地区代码应为6、9或12位数字');
// PostgreSQL text holds no NUL character: refused here rather than failing the insert
const text = (max: number, label: string) =>
	z
		.string()
		.trim()
		.min(1, `${label}不能为空`)
		.max(max, `${label}最多${max}个字符`)
		.refine((value) => !value.includes('\u0000'), `${label}不能含空字符`);
const category = z.enum(PROBLEM_CATEGORIES, `类别应为 ${PROBLEM_CATEGORIES.join('、')} 之一`);

// China's extent: a point outside it is a typo, not a position
const lon = z.number().min(73, '经度应在73到136之间').max(136, '经度应在73到136之间');
const lat = z.number().min(3, '纬度应在3到54之间').max(54, '纬度应在3到54之间');
/** A place to visit: a village or township code, or a facility's id. */
export const placeId = z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, '地点应为村、乡镇代码或医疗机构编号');
/** An uploaded photo (evidence) a finding carries. */
export const evidenceId = z.string().regex(/^[1-9]\d{0,14}$/, '照片编号不正确');

const problemFields = {
	region: regionCode,
	category,
	description: text(500, '问题描述'),
	deadline: upcoming.optional(),
	responsible_unit: text(100, '责任单位').optional(),
	responsible_leader: text(50, '责任领导').optional()
};

/** A move of 销号管理 (the lifecycle table decides who may make which): every move says what was done. */
export const problemMove = {
	problem: problemId,
	status: z.enum(PROBLEM_STATUSES, `状态应为 ${PROBLEM_STATUSES.join('、')} 之一`),
	note: text(500, '整改说明'),
	reason: text(300, '退回理由').optional(),
	evidence: z.array(z.number().int('应为整数').positive('材料编号不正确'), '佐证材料应为编号列表').max(10, '最多10个佐证材料').optional()
};

const patientEvent = z.object({ patient: patientId, date: day.optional() }).strict();

export const PAYLOADS = {
	'patient.identified': patientEvent,
	'patient.treated': patientEvent,
	'patient.followed_up': patientEvent,
	'patient.signed': patientEvent,
	'patient.enrolled': patientEvent,
	'facility.updated': z
		.object({
			facility: z.string().min(1, '缺少机构编号').max(60, '机构编号过长'),
			doctors: count.optional(),
			licensed_doctors: count.optional(),
			standard_met: z.boolean().optional()
		})
		.strict()
		.refine((p) => p.doctors !== undefined || p.licensed_doctors !== undefined || p.standard_met !== undefined, {
			message: '至少应更新 doctors、licensed_doctors 或 standard_met 之一',
			path: ['doctors']
		}),
	'problem.status_changed': z.object(problemMove).strict(),
	'problem.created': z
		.object({ ...problemFields, source: z.enum(PROBLEM_SOURCES, `来源应为 ${PROBLEM_SOURCES.join('、')} 之一`), deadline: upcoming })
		.strict(),
	'problem.supervised': z
		.object({ problem: problemId, level: z.enum(SUPERVISION_LEVELS, '督办级别应为 province（省级）或 national（国家级）').default('province') })
		.strict(),
	'talk.recorded': z
		.object({
			region: z.string().regex(/^\d{6}$/, '约谈对象应为市或县（6位代码）'),
			leader: text(50, '约谈对象'),
			reason: text(300, '约谈事由'),
			held_on: day.optional(),
			problem: problemId.optional()
		})
		.strict(),
	// arrived / left: the status, and where the team is when it says so
	'team.status': z
		.object({ team: teamId, status: z.enum(TEAM_STATUSES, `状态应为 ${TEAM_STATUSES.join('、')} 之一`), lon: lon.optional(), lat: lat.optional() })
		.strict()
		.refine((p) => (p.lon === undefined) === (p.lat === undefined), { message: '经度和纬度应同时给出', path: ['lon'] }),
	'team.location': z.object({ team: teamId, lon, lat }).strict(),
	'team.assigned': z
		.object({
			team: teamId,
			county: z.string().regex(/^\d{6}$/, '县级代码应为6位数字'),
			unannounced: z.boolean().default(true),
			reason: text(300, '派遣理由').optional(),
			starts_on: upcoming.optional(),
			ends_on: upcoming.optional(),
			places: z
				.array(placeId)
				.max(30, '一次最多30个地点')
				.refine((places) => new Set(places).size === places.length, '地点不能重复')
				.optional()
		})
		.strict()
		.refine((p) => !p.ends_on || !p.starts_on || p.ends_on >= p.starts_on, { message: '结束日期不能早于开始日期', path: ['ends_on'] }),
	'team.finding': z
		.object({
			...problemFields,
			team: teamId,
			evidence: z
				.array(evidenceId)
				.max(10, '最多10张照片')
				.refine((ids) => new Set(ids).size === ids.length, '照片不能重复')
				.optional()
		})
		.strict()
} satisfies Record<PostedEventType, z.ZodType>;

export type PostedPayload<T extends PostedEventType> = z.infer<(typeof PAYLOADS)[T]>;

const POSTED = Object.keys(PAYLOADS) as [PostedEventType, ...PostedEventType[]];

/** `POST /api/events`: the type picks the payload's schema; errors name `payload.<field>`. */
export const postedEvent = z
	.object({ type: z.enum(POSTED, `type 应为 ${POSTED.join('、')} 之一`), payload: z.record(z.string(), z.unknown()) })
	.transform((input, ctx) => {
		const parsed = PAYLOADS[input.type].safeParse(input.payload);
		if (parsed.success) return { type: input.type, payload: parsed.data } as PostedEvent;
		for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['payload', ...issue.path] });
		return z.NEVER;
	});

export type PostedEvent = { [T in PostedEventType]: { type: T; payload: PostedPayload<T> } }[PostedEventType];

export const IDEMPOTENCY_KEY = z.string().min(1, 'Idempotency-Key 不能为空').max(100, 'Idempotency-Key 最多100个字符');
