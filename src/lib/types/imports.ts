/**
 * The files an office imports and exports (SPEC §5): the four kinds, their columns with the
 * English and Chinese header names, and the words a file may use for each coded value. One
 * place for all of them: the import reads by these names, the export and the templates write
 * them, and the admin page lists them.
 */
import { PROBLEM_CATEGORIES, PROBLEM_SOURCES } from './events';

export const IMPORT_KINDS = ['villages', 'facilities', 'patients', 'problems'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_KIND_NAMES: Record<ImportKind, string> = {
	villages: '行政村',
	facilities: '医疗机构',
	patients: '患病贫困人口',
	problems: '问题台账'
};

export interface ImportColumn {
	/** the English header, as SPEC §5 names it */
	key: string;
	/** the Chinese header the templates and exports write */
	zh: string;
	/** other headers offices use for the same column */
	aliases?: string[];
	required: boolean;
	/** what the column holds, for the page and the template's notes */
	hint: string;
}

const col = (key: string, zh: string, required: boolean, hint: string, aliases: string[] = []): ImportColumn => ({ key, zh, required, hint, aliases });

export const IMPORT_COLUMNS: Record<ImportKind, ImportColumn[]> = {
	villages: [
		col('code', '代码', true, '12位行政村代码，前9位为乡镇代码', ['村代码', '行政村代码']),
		col('name', '名称', true, '行政村名称', ['村名', '村名称', '行政村名称']),
		col('township_code', '乡镇代码', true, '9位乡镇代码'),
		col('lon', '经度', true, '十进制度，如 116.8712', ['longitude']),
		col('lat', '纬度', true, '十进制度，如 37.1893', ['latitude']),
		col('population', '人口', false, '常住人口（人）；不填：新村为 0，已有的村不变', ['常住人口', '人口数']),
		col('key', '重点村', false, '是 / 否；不填：新村为否，已有的村不变', ['是否重点村', 'is_key'])
	],
	facilities: [
		col('code', '机构代码', true, '机构编号，字母、数字、横线或下划线，最多60位', ['机构编号', '编号', 'id']),
		col('name', '机构名称', true, '如 某某村卫生室', ['名称']),
		col('kind', '机构类型', true, '县医院、中医院、乡镇卫生院 或 村卫生室', ['类型', '类别']),
		col('village_code', '所在地代码', true, '村卫生室填12位村代码，乡镇卫生院填9位乡镇代码，县医院、中医院填6位县代码', ['村代码', '地区代码', 'region_code']),
		col('lon', '经度', false, '十进制度；不填：新机构不标注位置，已有的不变', ['longitude']),
		col('lat', '纬度', false, '十进制度；与经度同时填写或同时不填', ['latitude']),
		col('doctors', '乡村医生数', false, '取得执业证书的乡村医生人数；不填：新机构为 0，已有的不变', ['村医数', '乡村医生']),
		col('licensed_doctors', '执业(助理)医师数', false, '执业医师和执业助理医师人数；不填：新机构为 0，已有的不变', ['执业医师数', '执业（助理）医师']),
		col('standard_met', '是否达标', false, '是 / 否：村卫生室按标准化建设；县医院每个科室都有执业医师；不填：新机构为否，已有的不变', ['达标', '标准化'])
	],
	patients: [
		col('id', '患者编号', true, '化名编号，4–40位字母、数字、横线或下划线（不填姓名、身份证号）', ['编号', 'code']),
		col('village_code', '村代码', true, '12位行政村代码', ['所在村代码', '行政村代码']),
		col('category', '类别', true, '大病、慢病 或 其他', ['患病类别', '人群类别']),
		col('disease', '疾病', true, '病种名称，如 高血压', ['病种', '疾病名称']),
		col('identified_on', '识别日期', false, '确诊或识别的日期，如 2019-12-28', ['确诊日期']),
		col('treated_on', '救治日期', false, '大病已救治的日期；未救治不填', []),
		col('signed_on', '签约日期', false, '慢病家庭医生签约日期；未签约不填', ['家庭医生签约日期']),
		col('followed_up_on', '随访日期', false, '最近一次随访的日期；不早于签约日期', ['最近随访日期']),
		col('insured', '参保', false, '是 / 否：基本医保、大病保险、医疗救助均已参保；不填：新登记为否，已有的不变', ['是否参保'])
	],
	problems: [
		col('code', '问题编号', false, '如 WT-371424-0001；新问题可不填，按县自动编号', ['编号']),
		col('region_code', '地区代码', true, '问题所在的县（6位）、乡镇（9位）或村（12位）代码', ['所在地代码']),
		col('category', '问题类别', true, '村卫生室、村医配备、县医院、参保、大病救治、慢病签约、随访、数据质量 或 其他', ['类别']),
		col('source', '问题来源', true, '问题排查、飞行检查、交叉互查、自查、审计、群众投诉 或 媒体曝光', ['来源']),
		col('description', '问题描述', true, '最多500字', ['描述', '问题']),
		col('found_on', '发现日期', true, '如 2020-01-05', []),
		col('deadline', '整改期限', true, '不早于发现日期', ['整改时限', '期限']),
		col('responsible_unit', '责任单位', true, '最多100字'),
		col('responsible_leader', '责任领导', true, '最多50字', ['责任人']),
		col('status', '状态', false, '待整改、整改中、已提交 或 已销号；不填：新问题为待整改，已有的不变', ['整改状态'])
	]
};

/** Coded values and the words a file may use for them: the first is what exports write. */
export const FACILITY_KIND_WORDS: Record<string, string[]> = {
	county_hospital: ['县医院', '县级医院', '县人民医院'],
	tcm_hospital: ['中医院', '中医医院', '县中医院'],
	township_center: ['乡镇卫生院', '卫生院', '中心卫生院'],
	village_clinic: ['村卫生室', '卫生室']
};

export const PATIENT_CATEGORY_WORDS: Record<string, string[]> = {
	serious_illness: ['大病', '大病专项救治'],
	chronic: ['慢病', '慢性病', '慢病签约'],
	other: ['其他']
};

export const PROBLEM_CATEGORY_WORDS: Record<(typeof PROBLEM_CATEGORIES)[number], string[]> = {
	clinic: ['村卫生室'],
	doctor: ['村医配备', '村医'],
	hospital: ['县医院'],
	insurance: ['参保'],
	treatment: ['大病救治'],
	chronic: ['慢病签约', '慢病'],
	followup: ['随访'],
	data: ['数据质量', '数据'],
	other: ['其他']
};

export const PROBLEM_SOURCE_WORDS: Record<(typeof PROBLEM_SOURCES)[number], string[]> = {
	screening: ['问题排查', '排查'],
	inspection: ['飞行检查', '检查'],
	cross_inspection: ['交叉互查', '互查'],
	self_check: ['自查'],
	audit: ['审计'],
	complaint: ['群众投诉', '投诉'],
	media: ['媒体曝光', '媒体']
};

/** The ledger's statuses an import takes (销号管理: open → rectifying → submitted → closed). */
export const PROBLEM_STATUS_WORDS: Record<string, string[]> = {
	open: ['待整改', '未整改'],
	rectifying: ['整改中'],
	submitted: ['已提交', '待审核'],
	closed: ['已销号', '已整改', '已完成']
};

export const YES_WORDS = ['是', 'true', 'yes', 'y', '1', '√', '✓', '有'];
export const NO_WORDS = ['否', 'false', 'no', 'n', '0', '×', '✗', '无'];

/** One bad cell of a file: its row (the header is row 1), its column and what to do about it. */
export interface ImportError {
	row: number;
	field: string;
	message: string;
}

/** What an import answered (200): what it wrote, or with `dry_run` what it would write. */
export interface ImportResult {
	job: string;
	kind: ImportKind;
	dry_run: boolean;
	rows: number;
	inserted: number;
	updated: number;
	/** rows equal to what is stored already: left as they are */
	unchanged: number;
	/** a few of the codes inserted and updated (or that would be) */
	samples: { inserted: string[]; updated: string[] };
	/** header names that are not columns of this kind: their cells were not read */
	ignored_columns: string[];
}

/** An import's progress, as the uploader polls it. */
export interface ImportProgress {
	job: string;
	kind: ImportKind;
	dry_run: boolean;
	phase: 'receiving' | 'checking' | 'applying' | 'done' | 'failed';
	rows: number;
	bytes: number;
	total_bytes: number | null;
	errors: number;
}

/** How many of a 422's errors are listed in its answer; all are in the job's errors.csv. */
export const LISTED_ERRORS = 1000;
