import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Engine } from '../main/core/docker/engine';
import { resolveLab } from '../main/core/lab/catalog';
import { appRoot } from '../main/core/paths';
import { execArgv } from '../main/core/docker/exec';
import { exploreLab, resetLab, startLab } from '../main/core/run';
import { serveExploreApi } from '../main/core/run/explore-api';
import { requireNode } from '../main/core/session/sessions';
import { removeSessionsNamed } from '../main/core/session/teardown';
import { median } from './measure';
import type { Report } from './workshop';

/**
 * Explore mode (issue 17): each create and delete call, from the call to its difference built on
 * every node (network, subnet, router interface, server, floating IP, security-group rule), and
 * a list call in-process, through the CLI (whole process), and as a learner types it in the
 * controller's own terminal (the relay, timed inside the node). Each run starts from the
 * sandbox's empty cloud (reset).
 */
const CALLS: { what: string; create: string[]; remove?: string[] }[] = [
  { what: 'network', create: ['network', 'create', 'net1'] },
  { what: 'subnet', create: ['subnet', 'create', '--network', 'net1', '--subnet-range', '10.0.0.0/24', 'sub1'] },
  {
    what: '(external network and router)',
    create: ['network', 'create', '--external', '--provider-network-type', 'flat', '--provider-physical-network', 'extnet', 'ext'],
  },
  {
    what: '(external subnet)',
    create: ['subnet', 'create', '--network', 'ext', '--subnet-range', '9.186.100.0/24', '--gateway', '9.186.100.1', '--no-dhcp', 'public'],
  },
  { what: '(router)', create: ['router', 'create', 'router1'] },
  { what: '(router gateway)', create: ['router', 'set', '--external-gateway', 'ext', 'router1'] },
  {
    what: 'router interface',
    create: ['router', 'add', 'subnet', 'router1', 'sub1'],
    remove: ['router', 'remove', 'subnet', 'router1', 'sub1'],
  },
  {
    what: 'server',
    create: ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'net1', 'vm1'],
    remove: ['server', 'delete', 'vm1'],
  },
  {
    what: 'floating IP',
    create: ['floating', 'ip', 'create', '--port', 'vm1', '--floating-ip-address', '9.186.100.129', 'ext'],
    remove: ['floating', 'ip', 'delete', '9.186.100.129'],
  },
  { what: 'security-group rule', create: ['security', 'group', 'rule', 'create', '--protocol', 'icmp', 'default'] },
];

export async function benchExplore(engine: Engine, runs: number, report: Report): Promise<void> {
  const name = 'bench-explore';
  await removeSessionsNamed(engine, name);
  await startLab(engine, await resolveLab('explore'), { name });
  const created = new Map<string, number[]>();
  const removed = new Map<string, number[]>();
  const lists: number[] = [];
  const cli: number[] = [];
  const inNode: number[] = [];
  const call = async (argv: string[]) => {
    const result = await exploreLab(engine, name, argv);
    if (result.exitCode !== 0) throw new Error(`openstack ${argv.join(' ')}: ${result.stderr}`);
    return result.elapsedMs;
  };
  const api = await serveExploreApi(engine, name, 'controller');
  const controller = await requireNode(engine, name, 'controller');
  // Timed where the learner's shell runs: the docker exec that starts this shell is not theirs.
  const TIMED = 's=$(date +%s%N); openstack port list >/dev/null || exit 1; e=$(date +%s%N); echo $(((e - s) / 1000000))';
  try {
    for (let run = 0; run < runs; run++) {
      if (run > 0) await resetLab(engine, name);
      for (const c of CALLS) created.set(c.what, [...(created.get(c.what) ?? []), await call(c.create)]);
      lists.push(await call(['port', 'list']));
      const started = performance.now();
      const whole = spawnSync(process.execPath, [join(appRoot(), 'bin', 'neutron-lab.mjs'), 'openstack', name, 'port', 'list'], {
        encoding: 'utf8',
      });
      if (whole.status !== 0) throw new Error(`neutron-lab openstack port list: ${whole.stderr}`);
      cli.push(performance.now() - started);
      const timed = await execArgv(controller, ['sh', '-c', TIMED]);
      if (timed.exitCode !== 0) throw new Error(`openstack port list in the controller: ${timed.stderr}`);
      inNode.push(Number(timed.stdout.trim()));
      for (const c of [...CALLS].reverse()) if (c.remove) removed.set(c.what, [...(removed.get(c.what) ?? []), await call(c.remove)]);
    }
    for (const [what, times] of created) {
      if (what.startsWith('(')) continue;
      report(`explore: create ${what}, built on the nodes`, `${median(times).toFixed(0)} ms`, 'target ≤ 500 ms');
    }
    for (const [what, times] of removed)
      report(`explore: delete ${what}, undone on the nodes`, `${median(times).toFixed(0)} ms`, 'target ≤ 500 ms');
    report('explore: port list, in-process', `${median(lists).toFixed(0)} ms`, 'target ≤ 200 ms');
    report('explore: neutron-lab openstack … port list (whole process, on the host)', `${median(cli).toFixed(0)} ms`);
    report('explore: openstack port list in the controller’s terminal', `${median(inNode).toFixed(0)} ms`, 'target ≤ 200 ms');
  } finally {
    api?.close();
    await removeSessionsNamed(engine, name);
  }
}
