import { addMessages, init, locale } from 'svelte-i18n';
import zhCN from './messages/zh-CN';
import en from './messages/en';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

addMessages('zh-CN', zhCN);
addMessages('en', en);
init({ fallbackLocale: DEFAULT_LOCALE, initialLocale: DEFAULT_LOCALE });

export const isLocale = (value: string | null | undefined): value is Locale => LOCALES.includes(value as Locale);

export function setLocale(next: Locale): void {
	void locale.set(next);
	if (typeof document !== 'undefined') document.documentElement.lang = next;
}

/** Event types are dotted (`patient.treated`); catalogue keys nest on dots, so they are flattened. */
export const eventKey = (type: string) => `event.${type.replace(/\./g, '_')}`;

export { _, locale } from 'svelte-i18n';
