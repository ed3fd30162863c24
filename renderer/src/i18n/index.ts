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

/** A message looked up by key, in whatever language a caller chose. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** English: the default for code outside components (and what its unit tests read). */
export const english: Translate = (key, params) => translate('en', key, params);

/** A message to show later, translated where it is shown. */
export interface Message {
  key: MessageKey;
  params?: MessageParams;
}

/** Parameters that may be messages themselves, e.g. a count with its noun in the right number. */
export type MessageArgs = Record<string, string | number | Message>;

/** `key` with its message-valued parameters translated first, in the same language. */
export function translateArgs(t: Translate, key: MessageKey, params: MessageArgs = {}): string {
  return t(
    key,
    Object.fromEntries(
      Object.entries(params).map(([name, value]) => [name, typeof value === 'object' ? t(value.key, value.params) : value]),
    ),
  );
}

/** "1 part" or "3 parts": the `one` message for exactly one, else the `many` one, with `{n}`. */
export function counted(n: number, one: MessageKey, many: MessageKey): Message {
  return { key: n === 1 ? one : many, params: { n } };
}

export function useI18n(): { t: Translate } {
  const settings = useSettingsStore();
  return { t: (key, params) => translate(settings.language, key, params) };
}
