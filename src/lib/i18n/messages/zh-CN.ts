/** The message catalogue in Simplified Chinese, the default language (ICU message syntax). */
export default {
	app: {
		title: '健康扶贫作战指挥平台',
		wall: '作战指挥大屏',
		demo: '演示数据',
		demoHint: '乡镇以下为合成的演示数据',
		language: 'EN'
	},
	indicator: {
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
	},
	role: { leader: '领导', dispatcher: '调度员', county_officer: '县级用户', inspector: '检查组成员', admin: '管理员', kiosk: '大屏' },
	event: {
		patient_identified: '新识别患者',
		patient_treated: '患者已救治',
		patient_signed: '慢病已签约',
		patient_followed_up: '完成随访',
		patient_enrolled: '参保登记',
		facility_updated: '医疗机构更新',
		problem_created: '新问题',
		problem_status_changed: '问题整改进展',
		problem_overdue: '问题逾期',
		problem_supervised: '挂牌督办',
		talk_recorded: '约谈记录',
		team_status: '检查组状态',
		team_location: '检查组位置',
		team_assigned: '检查组派出',
		team_finding: '检查发现',
		indicators_changed: '指标变化'
	},
	problemStatus: { open: '待整改', rectifying: '整改中', closed: '已销号' },
	team: { idle: '待命', travelling: '在途', inspecting: '检查中', off_duty: '休整' },
	live: { connecting: '连接中', live: '实时', reconnecting: '重连中', refused: '已断开', ago: '{n} 秒前更新', never: '等待数据' },
	legend: { title: '图例', target: '目标 {value}', met: '达标', noData: '无数据', key: '重点县', silent: '超时未报告', overdue: '逾期问题', gap: '空白点村', team: '飞行检查组' },
	wall: {
		kpi: {
			title: '核心指标',
			clinic_coverage: '村卫生室覆盖',
			gaps: '空白点',
			treatment_rate: '大病救治率',
			chronic_signed_rate: '慢病签约率',
			followup_rate: '随访率',
			insurance_coverage: '参保覆盖率',
			rectification_rate: '整改完成率',
			composite: '综合得分',
			problems: '问题 未销号 / 逾期',
			teams: '飞行检查组在外',
			target: '目标 {value}',
			today: '今日 {change}',
			todayFlat: '今日持平',
			noBaseline: '今日基准待生成',
			teamsOf: '共 {n} 组',
			noTeams: '本级不显示',
			supervised: '挂牌督办 {n}'
		},
		ticker: { title: '实时动态', empty: '等待现场上报…' },
		ranking: { title: '县区排名', top: '前五名', bottom: '后五名', of: '共 {n} 个县区', since: '较 {day}' },
		campaign: {
			title: '健康扶贫问题排查专项行动',
			phase: { deployment: '安排部署', screening: '问题排查', rectification: '问题整改' },
			ends: '距{phase}阶段结束',
			starts: '距{phase}阶段开始',
			finished: '专项行动已结束',
			dayUnit: '天',
			range: '{start} — {end}'
		},
		freshness: { title: '数据新鲜度', fresh: '{n} 个县区按时报告', silent: '{n} 个县区超过 {limit} 未报告', ago: '{when}前', justNow: '刚刚', never: '暂无上报', allFresh: '各县区均按时报告' },
		tour: { province: '{name}总览', city: '巡览 · {name}', paused: '人工操作中 · 巡览暂停', alert: '告警' },
		alert: {
			problem_overdue: '问题逾期',
			problem_supervised: '挂牌督办',
			team_finding: '飞行检查发现问题',
			deadline: '整改期限 {day}',
			supervised: '挂牌督办',
			category: { clinic: '村卫生室', doctor: '村医配备', hospital: '县医院', insurance: '参保', treatment: '大病救治', chronic: '慢病签约', followup: '随访', data: '数据质量', other: '其他' }
		},
		unit: { minutes: '{n} 分钟', hours: '{n} 小时', days: '{n} 天' }
	}
};
