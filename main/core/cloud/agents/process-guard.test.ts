import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../lab/load';
import { resolveCloud, type ResolvedPool } from '../model';
import type { PlanPart } from '../plan';
import { poolPart } from './lbaas-agent';
import { dhcpDir, dhcpPart, vmPart, webServer } from './ports';
import { commandLinePattern, runningCommand, runningFromPidFile } from './process-guard';

/**
 * The guards that keep a service from being started twice. pgrep took `--pid-file=…` and `-p …`
 * for options (exit 2), so a second solve started a second dnsmasq: every pattern comes after `--`.
 */

const root = join(import.meta.dirname, '..', '..', '..', '..');
const modelOf = (id: string) => {
  const file = join(root, 'labs', id, 'lab.yaml');
  return resolveCloud(parseLab(readFileSync(file, 'utf8'), file).lab);
};
/** The guard of the step that starts `program` (the argv after `ip netns exec <ns>`, if any). */
const guardOf = (part: PlanPart, program: string) => {
  const step = part.steps.find((s) => (s.argv[0] === 'ip' && s.argv[1] === 'netns' ? s.argv[4] : s.argv[0]) === program);
  expect(step, `${part.key} starts ${program}`).toBeDefined();
  return step?.unless;
};

describe('runningFromPidFile', () => {
  it("asks pgrep for a live process of that name among the pid file's, the name after --", () => {
    expect(runningFromPidFile('/var/lib/neutron/dhcp/x/pid', 'dnsmasq')).toEqual([
      'pgrep',
      '-r',
      'D,I,R,S,T,t',
      '-x',
      '-F',
      '/var/lib/neutron/dhcp/x/pid',
      '--',
      'dnsmasq',
    ]);
  });

  it('refuses a name pgrep -x could never match (the kernel keeps 15 characters)', () => {
    expect(() => runningFromPidFile('/run/x.pid', 'a-very-long-daemon')).toThrow(/1 to 15 characters, not "a-very-long-daemon"/);
    expect(() => runningFromPidFile('/run/x.pid', '')).toThrow(/1 to 15 characters/);
  });
});

describe('runningCommand', () => {
  it('puts the pattern after --, so a command line starting with "-" is not read as an option', () => {
    expect(runningCommand(['-p', '/x/pid'])).toEqual(['pgrep', '-r', 'D,I,R,S,T,t', '-f', '--', '^-p /x/pid$']);
  });

  it('matches exactly the command line, its dots and brackets literally, and nothing longer', () => {
    const argv = ['busybox', 'httpd', '-p', '0.0.0.0:80', '-h', '/www/vm[1]'];
    const pattern = new RegExp(commandLinePattern(argv));
    expect(pattern.test('busybox httpd -p 0.0.0.0:80 -h /www/vm[1]')).toBe(true);
    expect(pattern.test('busybox httpd -p 0.0.0.0:8080 -h /www/vm[1]')).toBe(false);
    expect(pattern.test('busybox httpd -p 0a0b0c0:80 -h /www/vm1')).toBe(false);
    expect(pattern.test('sudo busybox httpd -p 0.0.0.0:80 -h /www/vm[1]')).toBe(false);
  });
});

describe('the agents guard every service they start', () => {
  it('dnsmasq by its pid file (dhcp-router)', () => {
    const model = modelOf('dhcp-router');
    const port = model.ports.find((p) => p.owner === 'dhcp');
    const node = port && model.nodes.get(port.node);
    if (!port || !node) throw new Error('dhcp-router has a DHCP port');
    expect(guardOf(dhcpPart(model, node, port), 'dnsmasq')).toEqual(runningFromPidFile(`${dhcpDir(port)}/pid`, 'dnsmasq'));
  });

  it("a VM's dhclient by its command line, whose -pf comes before its pid file exists (dhcp-router)", () => {
    const model = modelOf('dhcp-router');
    const vm = model.ports.find((p) => p.owner === 'vm' && p.dhcp);
    const node = vm && model.nodes.get(vm.node);
    if (!vm || !node) throw new Error('dhcp-router has a VM that takes its address by DHCP');
    const guard = guardOf(vmPart(model, node, vm), 'dhclient');
    expect(guard?.slice(0, 5)).toEqual(['pgrep', '-r', 'D,I,R,S,T,t', '-f', '--']);
    expect(
      new RegExp(guard?.[5] ?? '').test(
        `dhclient -nw -cf /etc/dhcp/nl-vm-dhclient.conf -sf /usr/local/bin/nl-dhclient-script -pf /run/nl-dhclient-${vm.name}.pid -lf /var/lib/dhcp/nl-${vm.name}.leases eth0`,
      ),
    ).toBe(true);
  });

  it("haproxy by its pid file, a VM's web server by its command line (lbaas)", () => {
    const model = modelOf('lbaas');
    const pool = model.pools[0] as ResolvedPool;
    const node = model.nodes.get(pool.node);
    const vm = model.ports.find((p) => p.owner === 'vm' && p.http !== undefined);
    const vmNode = vm && model.nodes.get(vm.node);
    if (!node || !vm || !vmNode) throw new Error('lbaas has a pool and a VM with a web server');
    expect(guardOf(poolPart(model, node, pool), 'haproxy')).toEqual(runningFromPidFile(`/var/lib/neutron/lbaas/${pool.id}/pid`, 'haproxy'));
    const server = webServer(vm.name, vm.http as number);
    expect(guardOf(vmPart(model, vmNode, vm), 'busybox')).toEqual(['pgrep', '-r', 'D,I,R,S,T,t', '-f', '--', server.pattern]);
  });
});
