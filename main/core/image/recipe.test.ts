import { cpSync, mkdtempSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeImageRecipeDir } from '../paths';
import { parsePackageList, readRecipe } from './recipe';

describe('parsePackageList', () => {
  it('keeps one package per line and drops comments and blank lines', () => {
    expect(parsePackageList('# tools\nopenvswitch-switch\n\n  iproute2  \n# end\n')).toEqual(['openvswitch-switch', 'iproute2']);
  });
});

describe('readRecipe', () => {
  it('lists every package the issue requires, with the tools labs rely on', () => {
    const { packages } = readRecipe();
    for (const name of [
      'openvswitch-switch',
      'iproute2',
      'iptables',
      'ethtool',
      'tcpdump',
      'dnsmasq-base',
      'haproxy',
      'isc-dhcp-client',
      'iputils-ping',
      'iputils-arping',
      'netcat-openbsd',
      'curl',
      'iperf3',
      'conntrack',
      'procps',
      'bridge-utils',
    ]) {
      expect(packages).toContain(name);
    }
  });

  it('tags by a hash of the recipe: stable, and changed by any edit', () => {
    const first = readRecipe();
    expect(readRecipe().tag).toBe(first.tag);
    expect(first.tag).toMatch(/^neutron-lab\/node:[0-9a-f]{12}$/);
    const copy = mkdtempSync(join(tmpdir(), 'recipe-'));
    cpSync(nodeImageRecipeDir(), copy, { recursive: true });
    appendFileSync(join(copy, 'setup.sh'), '\n# changed\n');
    expect(readRecipe(copy).tag).not.toBe(first.tag);
  });
});
