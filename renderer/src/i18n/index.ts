import { en, type MessageKey } from './en';
import { zh } from './zh';
import { useSettingsStore, type Language } from '../stores/settings';

/**
 * A tiny i18n of our own: vue-i18n compiles messages with `new Function`, which the CSP forbids.
 * `t` reads the settings store's language, so templates that call it re-render when it changes.
 */

export type { Language };
export const LANGUAGES: readonly Language[] = ['en', 'zh'];
export type { MessageKey };

const dictionaries: Record<Language, Record<MessageKey, string>> = { en, zh };

export type MessageParams = Record<string, string | number>;

/** The message in that language with `{name}` placeholders filled; unknown placeholders stay visible. */
export function translate(language: Language, key: MessageKey, params: MessageParams = {}): string {
  const template = dictionaries[language][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

export function useI18n(): { t: (key: MessageKey, params?: MessageParams) => string } {
  const settings = useSettingsStore();
  return { t: (key, params) => translate(settings.language, key, params) };
}
