import type { IndicatorKey } from '$lib/indicators';
import zhCN from './messages/zh-CN';
import { formatValue } from './format';

/** Chinese strings for pages that do not switch language; the catalogue (messages/zh-CN) holds them. */
export const indicatorNames: Record<IndicatorKey, string> = zhCN.indicator;

export const formatIndicator = formatValue;

export const roleNames: Record<string, string> = zhCN.role;

const eventLabels: Record<string, string> = zhCN.event;

export const eventLabel = (type: string) => eventLabels[type.replace(/\./g, '_')] ?? type;

export const levelNames: Record<string, string> = zhCN.level;

/** The audit log in words: what was done, to what, and the names of the fields that changed. */
export const auditWords = zhCN.audit;
