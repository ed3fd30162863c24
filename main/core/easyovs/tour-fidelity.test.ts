import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { portChains, portRules } from '../cloud/agents/security-groups';
import { resolveCloud } from '../cloud/model';
import { parseLab } from '../lab/load';

/**
 * The easyovs-tour lab against what the book's easyOVS printed for its compute node: every qvo
 * port of `br-int show` (002 lines 2681-2694) with its VLAN, IP and MAC, and the rules `ipt`
 * listed for two VMs (lines 2786-2834), section by section, as the lab's agents render them.
 */

const root = join(import.meta.dirname, '..', '..', '..');
const seed = (name: string) => readFileSync(join(root, 'main', 'core', 'inspect', 'fixtures', 'seed', name), 'utf8');
const labFile = join(root, 'labs', 'easyovs-tour', 'lab.yaml');
const model = resolveCloud(parseLab(readFileSync(labFile, 'utf8'), labFile).lab);
const compute1 = model.nodes.get('compute1');

describe("the book's br-int show", () => {
  // "qvo260209fa-72 11      1       192.168.0.4" and, on the next line, the MAC.
  const printed = [...seed('002-L2681.easyovs-show.txt').matchAll(/^(qvo\S+)\s+\d+\s+(\d+)\s+(\S+)\n\s+(\S+)$/gm)].map((m) =>
    m.slice(1, 5).join(' '),
  );

  it('is every VM port of the lab: the qvo name, local VLAN, address and MAC', () => {
    expect(printed).toHaveLength(4);
    const rendered = model.ports
      .filter((p) => p.owner === 'vm' && p.node === 'compute1')
      .map((p) => `qvo${p.portId.slice(0, 11)} ${compute1?.localVlans.get(p.network.name)} ${p.address} ${p.mac}`);
    expect(rendered.sort()).toEqual(printed.sort());
  });
});

describe("the book's ipt", () => {
  /** Per VM address, per section (IN, OUT, SRC_FILTER): "source protocol other" of each rule, its wrapped lines joined. */
  function printedSections(): Map<string, Map<string, string[]>> {
    const vms = new Map<string, Map<string, string[]>>();
    let sections: Map<string, string[]> | undefined;
    let rules: string[] = [];
    const lines = seed('002-L2786.easyovs-ipt.txt')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('```'));
    for (const line of lines) {
      const vm = /^## IP = (\S+),/.exec(line);
      const section = /^#(\w+):$/.exec(line);
      if (vm) vms.set(vm[1] as string, (sections = new Map()));
      else if (section) sections?.set(section[1] as string, (rules = []));
      else if (/^\s+\d+K?\s/.test(line)) rules.push(line.trim().split(/\s+/).slice(1).join(' '));
      else if (/^\S/.test(line) && rules.length) rules[rules.length - 1] += line.trim(); // the book wrapped it
    }
    return vms;
  }

  /** A rule the driver renders (iptables -S words) in easyOVS's columns: source, destination, protocol, other. */
  function columns(rule: readonly string[]): string {
    const value = (flag: string) => rule[rule.indexOf(flag) + 1];
    const other = [
      rule.includes('--state') ? `state ${value('--state')}` : '',
      rule.includes('--dport') || rule.includes('--sport')
        ? [
            value('-p'),
            rule.includes('--sport') ? `spt:${value('--sport')}` : '',
            rule.includes('--dport') ? `dpt:${value('--dport')}` : '',
          ]
            .filter(Boolean)
            .join(' ')
        : '',
      rule.includes('--mac-source') ? `MAC ${value('--mac-source')?.toUpperCase()}` : '',
    ].filter(Boolean);
    return [rule.includes('-s') ? value('-s')?.replace('/32', '') : 'all', 'all', rule.includes('-p') ? value('-p') : 'all', ...other].join(
      ' ',
    );
  }

  const printed = printedSections();
  it.each(['192.168.0.2', '192.168.0.4'])(
    "lists, for %s, the RETURN rules of the port's i, o and s chains in the driver's order",
    (address) => {
      const port = model.ports.find((p) => p.address === address);
      if (!port) throw new Error(`no port at ${address}`);
      expect([...(printed.get(address)?.values() ?? [])].map((rules) => rules.length)).toEqual([7, 3, 1]);
      const chains = portChains(port);
      // easyOVS printed the rules that let traffic through; the drops and jumps around them it left out.
      const returns = (chain: string) =>
        portRules(model, port)
          .filter((r) => r[1] === chain && r.at(-1) === 'RETURN')
          .map((r) => columns(r.slice(2)));
      expect(returns(chains.ingress)).toEqual(printed.get(address)?.get('IN'));
      expect(returns(chains.egress)).toEqual(printed.get(address)?.get('OUT'));
      expect(returns(chains.spoof)).toEqual(printed.get(address)?.get('SRC_FILTER'));
    },
  );
});
