import { describe, expect, it } from 'vitest';
import { en } from './en';
import { translate } from './index';
import { zh } from './zh';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('has every English key in Chinese, with the same placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'labs.progress', { met: 2, total: 9 })).toBe('2/9 objectives');
    expect(translate('zh', 'labs.progress', { met: 2, total: 9 })).toBe('已完成 2/9 个目标');
    expect(translate('en', 'labs.progress', { met: 2 })).toBe('2/{total} objectives');
  });
});
