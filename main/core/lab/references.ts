import type { Lab } from './schema';
import { compileSelector } from '../check/flow-match';
import type { Check } from '../check/schema';

/** What a check names that the lab must have: nodes, VMs; and flows and patterns that must be readable. */
export function objectivesReferences(
  check: Check,
  lab: Lab,
  path: (string | number)[] = [],
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const node = (name: string | undefined, at: string | (string | number)[]) => {
    if (name !== undefined && !lab.topology.nodes[name])
      problems.push({
        path: [...path, ...(Array.isArray(at) ? at : [at])],
        message: `no node "${name}" in topology.nodes (there: ${Object.keys(lab.topology.nodes).join(', ')})`,
      });
  };
  const vm = (name: string | undefined, at: (string | number)[]) => {
    if (name !== undefined && !lab.cloud.vms[name])
      problems.push({
        path: [...path, ...at],
        message: `no VM "${name}" in cloud.vms${Object.keys(lab.cloud.vms).length ? ` (there: ${Object.keys(lab.cloud.vms).join(', ')})` : ''}`,
      });
  };
  const target = (text: string, at: string) => {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(text)) vm(text, [at]);
  };
  const regex = (pattern: string | undefined, at: string) => {
    if (pattern === undefined) return;
    try {
      new RegExp(pattern);
    } catch (error) {
      problems.push({ path: [...path, at], message: `not a regular expression: ${(error as Error).message}` });
    }
  };
  const place = (p: { vm?: string; node?: string }, at: string) => {
    if ('vm' in p) vm(p.vm, [at, 'vm']);
    else if (p.node && !lab.topology.nodes[p.node])
      problems.push({ path: [...path, at, 'node'], message: `no node "${p.node}" in topology.nodes` });
  };
  switch (check.kind) {
    case 'all':
    case 'any':
      check.of.forEach((c, i) => problems.push(...objectivesReferences(c, lab, [...path, 'of', i])));
      break;
    case 'not':
      problems.push(...objectivesReferences(check.check, lab, [...path, 'check']));
      break;
    case 'repaired':
      if (Object.keys(lab.faults).length === 0)
        problems.push({ path, message: 'a repaired check stands for the fault drawn at boot, and this lab declares no faults' });
      break;
    case 'easyovs':
    case 'flow':
    case 'counter': {
      // Each part read on its own, so a problem points at the field that has it.
      const flowPlace = (
        p: { node: string; match?: string | undefined; actions?: string | undefined; bridge?: string | undefined; iptables?: unknown },
        at: (string | number)[],
      ) => {
        node(p.node, [...at, 'node']);
        for (const field of ['match', 'actions'] as const) {
          if (p[field] === undefined) continue;
          try {
            compileSelector({ [field]: p[field] });
          } catch (error) {
            problems.push({ path: [...path, ...at, field], message: (error as Error).message });
          }
        }
        if (check.kind === 'counter' && (p.bridge === undefined) === (p.iptables === undefined)) {
          problems.push({
            path: [...path, ...at],
            message: 'a counter check watches flows of a bridge or an iptables rule: give bridge or iptables (one of them)',
          });
        }
      };
      flowPlace(check, []);
      if (check.kind === 'counter') {
        check.unmoved?.forEach((p, i) => flowPlace(p, ['unmoved', i]));
        problems.push(...objectivesReferences(check.traffic, lab, [...path, 'traffic']));
      }
      if (check.kind === 'easyovs') {
        const flowAction = check.action === 'addflow' || check.action === 'delflow';
        if (!flowAction && (check.match !== undefined || check.actions !== undefined)) {
          problems.push({
            path: [...path, check.match !== undefined ? 'match' : 'actions'],
            message: `only addflow and delflow add or delete flows; ${check.action} takes no match or actions`,
          });
        }
        if (check.action !== 'list' && check.action !== 'ipt' && check.bridge === undefined)
          problems.push({ path, message: `${check.action} runs on a bridge: give bridge` });
      }
      break;
    }
    case 'capture':
      node(check.node, 'node');
      regex(check.output, 'output');
      problems.push(...objectivesReferences(check.traffic, lab, [...path, 'traffic']));
      break;
    case 'ping':
    case 'tcp':
      place(check.from, 'from');
      target(check.to, 'to');
      if (check.kind === 'ping' && check.source !== undefined && !('vm' in check.from))
        problems.push({ path: [...path, 'source'], message: 'a forged source needs a VM to send it (from: { vm: … })' });
      break;
    case 'http':
      place(check.from, 'from');
      regex(check.body, 'body');
      check.spread?.forEach((pattern, i) => regex(pattern, `spread[${i}]`));
      break;
    case 'dhcp':
      vm(check.vm, ['vm']);
      break;
    case 'outage':
      vm(check.vm, ['vm']);
      if (lab.cloud.vms[check.vm] && lab.cloud.vms[check.vm]?.http === undefined)
        problems.push({ path: [...path, 'vm'], message: `VM "${check.vm}" runs no web server to stop (give it http: PORT in cloud.vms)` });
      check.checks.forEach((inner, i) => problems.push(...objectivesReferences(inner, lab, [...path, 'checks', i])));
      break;
    case 'command':
      node(check.node, 'node');
      regex(check.output, 'output');
      break;
    case 'address':
    case 'link':
    case 'route':
    case 'ip-rule':
    case 'neighbour':
      if (check.vm === undefined && check.node === undefined)
        problems.push({ path, message: `a ${check.kind} check needs a node or a vm` });
      if (check.vm !== undefined && check.node !== undefined)
        problems.push({ path: [...path, 'vm'], message: 'give a node or a vm, not both' });
      node(check.node, 'node');
      vm(check.vm, ['vm']);
      break;
    case 'measure':
      vm(check.from.vm, ['from', 'vm']);
      vm(check.to, ['to']);
      break;
    case 'walk':
      vm(check.from, ['from']);
      target(check.to, 'to');
      check.through.forEach((h, i) => node(h.node, ['through', i, 'node']));
      node(check.leaves?.node, ['leaves', 'node']);
      if (check.proto === 'tcp' && check.port === undefined) problems.push({ path: [...path, 'port'], message: 'a tcp walk needs a port' });
      break;
    case 'follow':
      vm(check.from, ['from']);
      target(check.to, 'to');
      check.seen.forEach((seen, i) => {
        node(seen.node, ['seen', i, 'node']);
        if (seen.untagged && seen.vlan !== undefined)
          problems.push({ path: [...path, 'seen', i, 'untagged'], message: 'a copy cannot be untagged and carry a VLAN tag' });
      });
      if (check.proto === 'tcp' && check.port === undefined)
        problems.push({ path: [...path, 'port'], message: 'a tcp follow needs a port' });
      break;
    default:
      node(check.node, 'node');
  }
  return problems;
}
