import type zh from './zh-CN';

/** The English catalogue: the same keys as the Chinese one. */
const en: typeof zh = {
	app: {
		title: 'Health Poverty Alleviation Command Centre',
		wall: 'Command wall',
		demo: 'Demo data',
		demoHint: 'Everything below county level is synthetic demo data',
		language: '中文'
	},
	indicator: {
		clinic_coverage: 'Village clinic coverage',
		village_doctor_coverage: 'Village doctor coverage',
		township_doctor_ok: 'Township centres with physicians',
		county_hospital_ok: 'County hospitals at standard',
		insurance_coverage: 'Insurance coverage',
		treatment_rate: 'Serious-illness treatment',
		chronic_signed_rate: 'Chronic care signed',
		followup_rate: 'Follow-up rate',
		rectification_rate: 'Rectification rate',
		overdue_problems: 'Overdue problems',
		gaps: 'Gaps',
		composite: 'Composite score'
	},
	role: { leader: 'Leader', dispatcher: 'Dispatcher', county_officer: 'County officer', inspector: 'Inspector', admin: 'Administrator', kiosk: 'Wall screen' },
	event: {
		patient_identified: 'Patient identified',
		patient_treated: 'Patient treated',
		patient_signed: 'Chronic care signed',
		patient_followed_up: 'Follow-up done',
		patient_enrolled: 'Insurance enrolled',
		facility_updated: 'Facility updated',
		problem_created: 'New problem',
		problem_status_changed: 'Rectification progress',
		problem_overdue: 'Problem overdue',
		problem_supervised: 'Under supervision',
		talk_recorded: 'Talk recorded',
		team_status: 'Team status',
		team_location: 'Team location',
		team_assigned: 'Team dispatched',
		team_finding: 'Inspection finding',
		team_updated: 'Team changed',
		team_assignment_ended: 'Assignment ended',
		cross_inspection_drawn: 'Cross-inspection drawn',
		inspection_notice: 'Inspection notice',
		dispatch_weights_changed: 'Dispatch weights changed',
		indicators_changed: 'Indicators changed'
	},
	problemStatus: { open: 'open', rectifying: 'rectifying', closed: 'closed' },
	team: { idle: 'idle', travelling: 'travelling', inspecting: 'inspecting', reporting: 'reporting', off_duty: 'off duty' },
	live: { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', refused: 'Disconnected', ago: 'updated {n} s ago', never: 'waiting for data' },
	legend: { title: 'Legend', target: 'target {value}', met: 'met', noData: 'no data', key: 'key county', silent: 'silent too long', overdue: 'overdue problem', gap: 'village gap', team: 'inspection team' },
	wall: {
		kpi: {
			title: 'Key indicators',
			clinic_coverage: 'Clinic coverage',
			gaps: 'Gaps',
			treatment_rate: 'Treatment rate',
			chronic_signed_rate: 'Chronic signed',
			followup_rate: 'Follow-up rate',
			insurance_coverage: 'Insurance coverage',
			rectification_rate: 'Rectification',
			composite: 'Composite score',
			problems: 'Problems open / overdue',
			teams: 'Teams out',
			target: 'target {value}',
			today: 'today {change}',
			todayFlat: 'no change today',
			noBaseline: 'baseline pending',
			teamsOf: 'of {n} teams',
			noTeams: 'not shown at this level',
			supervised: '{n} supervised'
		},
		ticker: { title: 'Live events', empty: 'Waiting for field reports…' },
		ranking: { title: 'County ranking', top: 'Top five', bottom: 'Bottom five', of: '{n} counties', since: 'since {day}' },
		campaign: {
			title: 'Problem screening campaign',
			phase: { deployment: 'Deployment', screening: 'Screening', rectification: 'Rectification' },
			ends: '{phase} ends in',
			starts: '{phase} starts in',
			finished: 'Campaign finished',
			dayUnit: 'days',
			range: '{start} – {end}'
		},
		freshness: { title: 'Data freshness', fresh: '{n} counties reporting', silent: '{n} counties silent for over {limit}', ago: '{when} ago', justNow: 'just now', never: 'no report yet', allFresh: 'Every county is reporting' },
		tour: { province: '{name} overview', city: 'Touring · {name}', paused: 'Operator active · tour paused', alert: 'Alert' },
		alert: {
			problem_overdue: 'Problem overdue',
			problem_supervised: 'Put under supervision',
			team_finding: 'Inspection finding',
			deadline: 'deadline {day}',
			supervised: 'supervised',
			category: { clinic: 'clinic', doctor: 'village doctor', hospital: 'county hospital', insurance: 'insurance', treatment: 'treatment', chronic: 'chronic care', followup: 'follow-up', data: 'data quality', other: 'other' }
		},
		unit: { minutes: '{n} min', hours: '{n} h', days: '{n} d' }
	}
};

export default en;
