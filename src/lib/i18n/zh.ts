import type { IndicatorKey } from '$lib/indicators';

/** UI strings in Simplified Chinese (the default language). */
export const indicatorNames: Record<IndicatorKey, string> = {
	clinic_coverage: '村卫生室覆盖率',
	village_doctor_coverage: '村医配备率',
	township_doctor_ok: '乡镇卫生院医师达标率',
	county_hospital_ok: '县医院达标率',
	insurance_coverage: '参保覆盖率',
	treatment_rate: '大病救治率',
	chronic_signed_rate: '慢病签约率',
	followup_rate: '随访率',
	rectification_rate: '整改完成率',
	overdue_problems: '逾期问题数',
	gaps: '空白点数',
	composite: '综合得分'
};


const percent = new Intl.NumberFormat('zh-CN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const score = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatIndicator(kind: 'rate' | 'count' | 'score', value: number | null | undefined): string {
	if (value === null || value === undefined) return '—';
	if (kind === 'rate') return percent.format(value);
	if (kind === 'count') return integer.format(value);
	return score.format(value);
}

export const roleNames: Record<string, string> = {
	leader: '领导',
	dispatcher: '调度员',
	county_officer: '县级用户',
	inspector: '检查组成员',
	admin: '管理员',
	kiosk: '大屏'
};

const eventLabels: Record<string, string> = {
	'patient.identified': '新识别患者',
	'patient.treated': '患者已救治',
	'patient.signed': '慢病已签约',
	'patient.followed_up': '完成随访',
	'patient.enrolled': '参保登记',
	'facility.updated': '医疗机构更新',
	'problem.created': '新问题',
	'problem.status_changed': '问题整改进展',
	'problem.overdue': '问题逾期',
	'problem.supervised': '挂牌督办',
	'talk.recorded': '约谈记录',
	'team.status': '检查组状态',
	'team.location': '检查组位置',
	'team.assigned': '检查组派出',
	'team.finding': '检查发现',
	'indicators.changed': '指标变化'
};

export const eventLabel = (type: string) => eventLabels[type] ?? type;
