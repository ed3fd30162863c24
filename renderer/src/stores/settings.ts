import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

/**
 * The learner's own preferences (language, theme), kept in this window's localStorage. The Docker
 * endpoint is not here: it belongs to the back end, which may serve many windows.
 */

export type Language = 'en' | 'zh';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'neutron-lab.settings';

interface Stored {
  language?: unknown;
  theme?: unknown;
}

/** localStorage when there is one (not in unit tests, and it may throw when storage is disabled). */
function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

function readStored(): Stored {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(STORAGE_KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Stored) : {};
  } catch {
    return {}; // a damaged entry must not stop the app: fall back to the defaults
  }
}

/** What the system prefers, for a first start. */
function preferredLanguage(): Language {
  return globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
function preferredTheme(): Theme {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export const useSettingsStore = defineStore('settings', () => {
  const stored = readStored();
  const language = ref<Language>(stored.language === 'en' || stored.language === 'zh' ? stored.language : preferredLanguage());
  const theme = ref<Theme>(stored.theme === 'light' || stored.theme === 'dark' ? stored.theme : preferredTheme());

  watch([language, theme], () => {
    try {
      storage()?.setItem(STORAGE_KEY, JSON.stringify({ language: language.value, theme: theme.value }));
    } catch {
      // storage full or disabled: the choice still holds for this window
    }
  });

  return { language, theme };
});
