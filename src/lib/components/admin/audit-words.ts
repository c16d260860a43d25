import { auditWords, roleNames } from '$lib/i18n/zh';
import zhCN from '$lib/i18n/messages/zh-CN';
import { formatTime } from './format';

/** One field an audited change changed, in words. */
export interface FieldChange {
	field: string;
	label: string;
	from: string;
	to: string;
}

// bookkeeping, not what the change was about
const NOISE = new Set(['id', 'updated_at', 'created_at', 'password_hash', 'point', 'geom', 'county_code', 'facility_id']);
const SHOWN = 8;
const MIDNIGHT = /^(\d{4}-\d{2}-\d{2})T00:00:00(\.000)?Z$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const VALUE_WORDS: Record<string, Record<string, string>> = {
	role: roleNames,
	status: { ...zhCN.problemStatus, submitted: '已提交', ...zhCN.team },
	kind: { ...zhCN.importKind, county_hospital: '县医院', tcm_hospital: '中医院', township_center: '乡镇卫生院', village_clinic: '村卫生室' },
	category: { ...zhCN.wall.alert.category, serious_illness: '大病', chronic: '慢病' }
};

export const actionName = (action: string) => (auditWords.action as Record<string, string>)[action] ?? action;
export const entityName = (entity: string) => (auditWords.entity as Record<string, string>)[entity] ?? entity;

/** A value of the log as a clerk reads it: 是/否, days, times, names of roles and statuses. */
export function valueInWords(field: string, value: unknown): string {
	if (value === null || value === undefined || value === '') return auditWords.none;
	if (typeof value === 'boolean') return value ? auditWords.yes : auditWords.no;
	if (typeof value === 'string') {
		const day = value.match(MIDNIGHT);
		if (day) return day[1];
		if (INSTANT.test(value)) return formatTime(value);
		const word = VALUE_WORDS[field]?.[value];
		if (word) return word;
		return value.length > 80 ? `${value.slice(0, 80)}…` : value;
	}
	if (typeof value === 'number') return String(value);
	const text = JSON.stringify(value);
	return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

const ORDER = Object.keys(auditWords.field);
const rank = (field: string) => (ORDER.includes(field) ? ORDER.indexOf(field) : ORDER.length);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a change changed, field by field: for an edit the fields it set to another value, for a
 * creation what it was created with, for a removal what there was; at most a few, and how many
 * more there are.
 */
export function fieldChanges(before: unknown, after: unknown): { changes: FieldChange[]; more: number } {
	const b = isRecord(before) ? before : null;
	const a = isRecord(after) ? after : null;
	// an edit names what it set; what it kept of the record before is not a change. The log's
	// JSON keeps no order of its own: fields as the catalogue lists them, the others after
	const keys = Object.keys(a ?? b ?? {})
		.filter((key) => !NOISE.has(key))
		.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
	const changed = keys.filter((key) => {
		if (b && a) return JSON.stringify(b[key] ?? null) !== JSON.stringify(a[key] ?? null);
		const value = (a ?? b)?.[key];
		return value !== null && value !== undefined && value !== '';
	});
	const changes = changed.slice(0, SHOWN).map((field) => ({
		field,
		label: (auditWords.field as Record<string, string>)[field] ?? field,
		from: b ? valueInWords(field, b[field]) : '',
		to: a ? valueInWords(field, a[field]) : ''
	}));
	return { changes, more: changed.length - changes.length };
}
