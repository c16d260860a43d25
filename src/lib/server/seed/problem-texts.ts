/** Problem categories and sources with relative frequencies, and the ledger's wording. */
export const CATEGORIES: ReadonlyArray<readonly [string, number]> = [
	['clinic', 14], ['doctor', 14], ['hospital', 6], ['insurance', 8], ['treatment', 10],
	['chronic', 12], ['followup', 14], ['data', 12], ['other', 10]
];

export const SOURCES: ReadonlyArray<readonly [string, number]> = [
	['screening', 30], ['self_check', 20], ['inspection', 15], ['cross_inspection', 15],
	['complaint', 8], ['audit', 6], ['media', 6]
];

/** A clinic problem in a village that has no clinic at all. */
export const NO_CLINIC = '{place}无村卫生室，群众就医需到邻村';

/**
 * Descriptions by category and the level the problem is found at; `{place}` is the
 * township and village, the township or the county.
 */
export const DESCRIPTIONS: Record<string, Record<'county' | 'township' | 'village', string[]>> = {
	clinic: {
		county: [], township: [],
		village: ['{place}卫生室未达到标准化建设要求，诊室、治疗室、药房未分设', '{place}卫生室业务用房面积不足60平方米',
			'{place}卫生室基本医疗设备配备不全']
	},
	doctor: {
		county: [],
		township: ['{place}卫生院执业（助理）医师不足5名', '{place}卫生院无全科医生，部分科室无执业医师'],
		village: ['{place}卫生室无取得乡村医生执业证书的村医', '{place}村医年龄偏大，无后备人员',
			'{place}卫生室村医未按规定开展家庭医生签约服务']
	},
	hospital: {
		county: ['{place}人民医院部分临床科室无执业医师', '{place}人民医院未达到二级医院服务能力',
			'{place}人民医院远程医疗服务未覆盖乡镇卫生院'],
		township: [], village: []
	},
	insurance: {
		county: [], township: [],
		village: ['{place}部分建档立卡贫困人口未参加基本医疗保险', '{place}新增贫困人口未及时纳入医疗救助',
			'{place}贫困人口参保资助政策落实不到位']
	},
	treatment: {
		county: [], township: [],
		village: ['{place}大病专项救治患者未及时救治', '{place}贫困患者“先诊疗、后付费”政策未落实',
			'{place}大病患者救治台账与系统数据不一致']
	},
	chronic: {
		county: [], township: [],
		village: ['{place}慢病患者家庭医生签约未做到应签尽签', '{place}签约服务履约不到位，签而不约',
			'{place}严重精神障碍患者未纳入签约管理']
	},
	followup: {
		county: [], township: [],
		village: ['{place}签约慢病患者随访记录不全', '{place}高血压、糖尿病患者未按季度随访',
			'{place}随访信息未及时录入健康扶贫信息系统']
	},
	data: {
		county: ['{place}健康扶贫信息系统数据与建档立卡信息不一致', '{place}患病贫困人口底数不清，账实不符',
			'{place}救治进度数据未按时上报'],
		township: [], village: []
	},
	other: {
		county: ['{place}健康扶贫政策公示不到位', '{place}贫困患者对健康扶贫政策知晓率偏低',
			'{place}问题整改台账未实行销号管理'],
		township: [], village: []
	}
};
