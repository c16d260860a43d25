/**
 * Diseases by category, with rough relative frequencies. The serious illnesses are the 34
 * special-treatment diseases of 2020 (大病专项救治病种; 25 in 2019).
 */
export const SERIOUS_DISEASES: ReadonlyArray<readonly [string, number]> = [
	['儿童急性淋巴细胞白血病', 1], ['儿童急性早幼粒细胞白血病', 1], ['儿童先天性房间隔缺损', 1],
	['儿童先天性室间隔缺损', 1], ['儿童先天性动脉导管未闭', 1], ['儿童先天性肺动脉瓣狭窄', 1],
	['食管癌', 5], ['胃癌', 5], ['结肠癌', 2], ['直肠癌', 2], ['终末期肾病', 8], ['重性精神病', 3],
	['耐多药肺结核', 1], ['艾滋病机会性感染', 1], ['肺癌', 6], ['肝癌', 4], ['乳腺癌', 3], ['宫颈癌', 3],
	['急性心肌梗死', 5], ['白内障', 8], ['尘肺', 1], ['神经母细胞瘤', 1], ['儿童淋巴瘤', 1], ['骨肉瘤', 1],
	['血友病', 1], ['地中海贫血', 1], ['唇腭裂', 1], ['尿道下裂', 1], ['膀胱癌', 2], ['卵巢癌', 2],
	['肾癌', 1], ['重型再生障碍性贫血', 1], ['脑卒中', 10], ['慢性阻塞性肺气肿', 6]
];

/** 四病 under family-doctor contract. */
export const CHRONIC_DISEASES: ReadonlyArray<readonly [string, number]> = [
	['高血压', 55], ['糖尿病', 25], ['严重精神障碍', 12], ['肺结核', 8]
];

export const OTHER_DISEASES: ReadonlyArray<readonly [string, number]> = [
	['冠心病', 3], ['脑血管病', 3], ['慢性支气管炎', 2], ['类风湿性关节炎', 2], ['关节病', 2],
	['慢性胃炎', 2], ['腰椎间盘突出症', 1], ['慢性肝炎', 1]
];

/** A list in which each disease appears as often as its weight: a uniform pick is weighted. */
export function weighted(list: ReadonlyArray<readonly [string, number]>): string[] {
	return list.flatMap(([name, weight]) => Array<string>(weight).fill(name));
}
