import { describe, expect, it } from 'vitest';
import { shortcutOf, typedCommand } from './input';

const key = (
  key: string,
  mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {},
  type = 'keydown',
) => ({
  type,
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('terminal shortcuts', () => {
  it('takes Ctrl/Cmd+F, Ctrl+Shift+C/V and Cmd+C/V, and leaves the shell its Ctrl+C and Ctrl+V', () => {
    expect(shortcutOf(key('f', { ctrlKey: true }))).toBe('search');
    expect(shortcutOf(key('f', { metaKey: true }))).toBe('search');
    expect(shortcutOf(key('C', { ctrlKey: true, shiftKey: true }))).toBe('copy');
    expect(shortcutOf(key('V', { ctrlKey: true, shiftKey: true }))).toBe('paste');
    expect(shortcutOf(key('c', { metaKey: true }))).toBe('copy');
    expect(shortcutOf(key('c', { ctrlKey: true }))).toBeUndefined();
    expect(shortcutOf(key('v', { ctrlKey: true }))).toBeUndefined();
    expect(shortcutOf(key('f'))).toBeUndefined();
    expect(shortcutOf(key('f', { ctrlKey: true }, 'keyup'))).toBeUndefined();
  });
});

describe('typedCommand', () => {
  it('adds Enter only when the text lacks a final line end', () => {
    expect(typedCommand('ip a')).toBe('ip a\r');
    expect(typedCommand('ip a\n')).toBe('ip a\r');
    expect(typedCommand('ip a\r\n')).toBe('ip a\r');
  });

  it('turns each line end into Enter', () => {
    expect(typedCommand('ovs-vsctl show\novs-ofctl dump-flows br-int')).toBe('ovs-vsctl show\rovs-ofctl dump-flows br-int\r');
  });
});
