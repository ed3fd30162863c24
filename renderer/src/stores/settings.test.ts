import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { useSettingsStore } from './settings';

/** A localStorage of our own: the unit tests run in Node, which has none. */
function memoryStorage(initial: Record<string, string> = {}): Storage {
  const items = new Map(Object.entries(initial));
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('settings store', () => {
  it('starts from what the system prefers, and keeps what the learner picks', async () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    vi.stubGlobal('navigator', { language: 'zh-CN' });
    setActivePinia(createPinia());
    const settings = useSettingsStore();
    expect(settings.language).toBe('zh');
    expect(settings.theme).toBe('light');
    settings.language = 'en';
    settings.theme = 'dark';
    await nextTick();
    expect(JSON.parse(storage.getItem('neutron-lab.settings') ?? '{}')).toEqual({ language: 'en', theme: 'dark' });

    setActivePinia(createPinia());
    expect({ language: useSettingsStore().language, theme: useSettingsStore().theme }).toEqual({ language: 'en', theme: 'dark' });
  });

  it('ignores a damaged or foreign entry', () => {
    vi.stubGlobal('localStorage', memoryStorage({ 'neutron-lab.settings': '{"language":"fr","theme":7' }));
    vi.stubGlobal('navigator', { language: 'en-GB' });
    setActivePinia(createPinia());
    expect(useSettingsStore().language).toBe('en');
  });
});
