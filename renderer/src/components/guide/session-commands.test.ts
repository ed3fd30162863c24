/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { forSession } from './session-commands';

describe('guide commands name the running session', () => {
  it('rewrites the lab id where a command takes a session, keeping options before it', () => {
    const text = [
      '`neutron-lab shell dhcp-router network`',
      '```sh',
      'neutron-lab check dhcp-router',
      'neutron-lab hint dhcp-router dhcp-lease',
      'neutron-lab solve --step 2 dhcp-router',
      'neutron-lab inspect snapshot dhcp-router network',
      'neutron-lab ovs dhcp-router network dump br-int',
      '```',
    ].join('\n');
    expect(forSession(text, 'dhcp-router', 'my-dhcp')).toBe(
      [
        '`neutron-lab shell my-dhcp network`',
        '```sh',
        'neutron-lab check my-dhcp',
        'neutron-lab hint my-dhcp dhcp-lease',
        'neutron-lab solve --step 2 my-dhcp',
        'neutron-lab inspect snapshot my-dhcp network',
        'neutron-lab ovs my-dhcp network dump br-int',
        '```',
      ].join('\n'),
    );
  });

  it('gives up the session name, and leaves what is not a session alone', () => {
    expect(forSession('neutron-lab up dhcp-router', 'dhcp-router', 'my-dhcp')).toBe('neutron-lab up dhcp-router --name my-dhcp');
    expect(forSession('neutron-lab up dhcp-router --name x', 'dhcp-router', 'my-dhcp')).toBe('neutron-lab up dhcp-router --name x');
    // Another lab's id, a longer id, the lab's name in prose, a lint of the lab file.
    const untouched =
      'neutron-lab shell gre-tenant network; neutron-lab check dhcp-router-2; the dhcp-router lab; neutron-lab lint labs/dhcp-router';
    expect(forSession(untouched, 'dhcp-router', 'my-dhcp')).toBe(untouched);
  });

  it('changes nothing for the default session (named after the lab) or none', () => {
    expect(forSession('neutron-lab check dhcp-router', 'dhcp-router', 'dhcp-router')).toBe('neutron-lab check dhcp-router');
    expect(forSession('neutron-lab check dhcp-router', 'dhcp-router', undefined)).toBe('neutron-lab check dhcp-router');
  });

  it('leaves no command of any shipped guide naming the lab id where a session goes', () => {
    // Every guide of every lab, in both languages (read by the test runner, as the bundler would).
    const guides = import.meta.glob<string>('../../../../labs/*/guide/*/*.md', { query: '?raw', import: 'default', eager: true });
    let changed = 0;
    for (const [path, original] of Object.entries(guides)) {
      const lab = /labs\/([^/]+)\/guide\//.exec(path)?.[1] ?? '';
      const rewritten = forSession(original, lab, 'zz-session');
      if (rewritten !== original) changed += 1;
      const stale = new RegExp(
        String.raw`neutron-lab\s+(?:check|solve|reset|hint|down|shell|exec|ovs|inspect\s+\w+)[^\n\`]*\s${lab}(?![\w-])`,
      );
      expect(stale.exec(rewritten)?.[0], path).toBeUndefined();
    }
    expect(Object.keys(guides).length).toBeGreaterThan(40);
    // The guides do name their lab in commands (dozens of times): the test saw them.
    expect(changed).toBeGreaterThan(10);
  });
});
