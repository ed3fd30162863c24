import type { Language, LocalizedText } from './schema';

/** A lab's text in a language (English where it has no translation). Apart from the schema, so reading a text loads no validator. */
export function textIn(text: LocalizedText, language: Language = 'en'): string {
  return typeof text === 'string' ? text : language === 'zh' ? (text.zh ?? text.en) : text.en;
}
