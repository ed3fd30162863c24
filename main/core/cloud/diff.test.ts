import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../lab/load';
import { planChanges, flowMatch, undoStep } from './diff';
import { renderCloud } from './render';
import type { CloudPlan } from './plan';

const LABS = join(import.meta.dirname, '..', '..', '..', 'labs');
const plans = readdirSync(LABS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => {
    const file = join(LABS, d.name, 'lab.yaml');
    return [d.name, renderCloud(parseLab(readFileSync(file, 'utf8'), file).lab)] as const;
  });

const only = (plan: CloudPlan, keep: (key: string) => boolean): CloudPlan => ({ parts: plan.parts.filter((p) => keep(p.key)) });

describe('planChanges', () => {
  it.each(plans)('%s: knows how to undo every step its agents take', (_, plan) => {
    for (const step of plan.parts.flatMap((p) => p.steps)) expect(() => undoStep(step)).not.toThrow();
  });

  it.each(plans)('%s: changes nothing from a plan to itself, builds everything from nothing, removes everything to nothing', (_, plan) => {
    expect(planChanges(plan, plan)).toEqual([]);
    const built = planChanges({ parts: [] }, plan);
    expect(built.flatMap((c) => c.added).sort()).toEqual(plan.parts.map((p) => p.key).sort());
    // From nothing, a node's steps are its parts' steps in plan order.
    for (const change of built) expect(change.steps).toEqual(plan.parts.filter((p) => p.ref.node === change.node).flatMap((p) => p.steps));
    const removed = planChanges(plan, { parts: [] });
    expect(removed.flatMap((c) => c.removed).sort()).toEqual(plan.parts.map((p) => p.key).sort());
    expect(removed.flatMap((c) => c.steps).some((s) => s.argv[0] === 'ovs-vsctl' && s.argv.includes('add-port'))).toBe(false);
    // A chain is removed only after every rule that jumps to it, whichever part wrote the rule.
    for (const { steps } of removed) {
      // What the node does in order: a batch of iptables removals deletes its rules (-A lines)
      // before it removes its chains (-X lines).
      const done = steps.flatMap((s) => {
        if (!s.argv.includes('nl-iptables-undo')) return [`${s.argv.join(' ')}\n${s.input ?? ''}`];
        const lines = s.input!.trim().split('\n');
        return [...lines.filter((l) => !l.startsWith('-X ')), ...lines.filter((l) => l.startsWith('-X '))];
      });
      done.forEach((line, i) => {
        const chain = /^-X (\S+)$/.exec(line)?.[1] ?? / -X (\S+)$/.exec(line.split('\n')[0]!)?.[1];
        if (!chain) return;
        const later = done.slice(i + 1).filter((l) => l.includes(`-j ${chain}`));
        expect(later, `rules jumping to ${chain} undone after it`).toEqual([]);
      });
    }
  });

  const dhcpRouter = plans.find(([id]) => id === 'dhcp-router')![1];

  it('removes a VM: its namespace, devices and bridge port, and nothing the other parts still hold', () => {
    const [change] = planChanges(
      dhcpRouter,
      only(dhcpRouter, (k) => !k.endsWith('/vm/vm1')),
    ).filter((c) => c.node === 'compute1');
    expect(change!.removed).toEqual(['compute1/vm/vm1']);
    const argv = change!.steps.map((s) => s.argv.join(' '));
    expect(argv).toContain('ip netns del vm1');
    expect(argv.some((a) => /^ovs-vsctl --if-exists del-port br-int qvo/.test(a))).toBe(true);
    expect(argv.some((a) => /^ip link del qvb/.test(a))).toBe(true);
    // Inside the namespace that goes, nothing is undone one by one.
    expect(argv.some((a) => a.startsWith('ip -n vm1') || a.startsWith('ip netns exec vm1'))).toBe(false);
  });

  it('builds in the new plan’s order: a changed part before the added part that needs it', () => {
    // dvr's floating IP: its rules go into the router's nat table, which the router part restores
    // whole — and changes, as it now serves a floating IP. Restored after the rules, it would drop them.
    const file = join(LABS, 'dvr', 'lab.yaml');
    const lab = parseLab(readFileSync(file, 'utf8'), file).lab;
    const without = renderCloud({ ...lab, cloud: { ...lab.cloud, floatingIps: [] } });
    const [change] = planChanges(without, renderCloud(lab)).filter((c) => c.node === 'compute1');
    expect(change!.changed).toContain('compute1/router/router1');
    expect(change!.added).toContain('compute1/floating-ip/vm1');
    const argv = change!.steps.map((s) => s.argv.join(' '));
    const restore = argv.findIndex((a) => a.startsWith('ip netns exec qrouter-') && a.endsWith('iptables-restore'));
    const dnat = argv.findIndex((a) => a.includes('DNAT'));
    expect(restore).toBeGreaterThanOrEqual(0);
    expect(dnat).toBeGreaterThan(restore);
  });

  it('deletes exactly the flows that went and adds exactly the flows that came, without emptying the bridge', () => {
    const tunnel = dhcpRouter.parts.find((p) => p.key === 'compute1/tunnel-flows')!;
    const flows = tunnel.steps.find((s) => s.argv[1] === 'add-flows')!;
    const lines = flows.input!.trim().split('\n');
    const edited = {
      parts: dhcpRouter.parts.map((p) =>
        p !== tunnel
          ? p
          : {
              ...p,
              steps: p.steps.map((s) =>
                s !== flows ? s : { ...s, input: `${[...lines.slice(1), 'table=99,priority=1,actions=drop'].join('\n')}\n` },
              ),
            },
      ),
    };
    const [change] = planChanges(dhcpRouter, edited);
    expect(change!.changed).toEqual(['compute1/tunnel-flows']);
    const steps = change!.steps;
    expect(steps.some((s) => s.argv.at(-1) === 'br-tun' && s.argv.includes('del-flows') && !s.argv.includes('--strict'))).toBe(false);
    expect(steps.find((s) => s.argv.includes('--strict'))!.input).toBe(`${flowMatch(lines[0]!)}\n`);
    expect(steps.find((s) => s.argv[1] === 'add-flows')!.input).toBe('table=99,priority=1,actions=drop\n');
  });
});

describe('flowMatch', () => {
  it('keeps the table, priority and match, and drops the actions and what del-flows --strict does not take', () => {
    expect(flowMatch('table=2,priority=1,tun_id=0x1,actions=mod_vlan_vid:1,resubmit(,10)')).toBe('table=2,priority=1,tun_id=0x1');
    expect(flowMatch('cookie=0x1,table=20,idle_timeout=300,priority=1,dl_vlan=1, actions=output:2')).toBe('table=20,priority=1,dl_vlan=1');
  });
});
