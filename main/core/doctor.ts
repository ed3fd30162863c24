import { randomBytes } from 'node:crypto';
import { execArgv } from './docker/exec';
import { connectEngine, type Engine } from './docker/engine';
import { toAppError } from './errors';
import { imageStatus } from './image/node-image';
import { offlineBuilderUnavailable } from './image/offline-builder';
import type { LoadedLab } from './lab/load';
import { LabSchema } from './lab/schema';
import { up } from './session/boot';
import { listSessions, type SessionStatus } from './session/sessions';
import { removeSession } from './session/teardown';

/**
 * `neutron-lab doctor`: can this machine run labs, and if not, what exactly to do.
 * The kernel features are proven the only way that counts: by booting a real node and using them.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

export interface DoctorReport {
  /** True when labs can run (no check failed). */
  ok: boolean;
  checks: Check[];
}

export async function runDoctor(options: { endpoint?: string } = {}): Promise<DoctorReport> {
  const checks: Check[] = [];
  const add = (check: Check) => checks.push(check);

  let engine: Engine;
  try {
    engine = await connectEngine({ endpoint: options.endpoint });
    const { info } = engine;
    add({
      id: 'engine',
      title: 'Docker engine',
      status: 'ok',
      detail: `${info.endpoint}: Docker ${info.version} (API ${info.apiVersion}), ${info.os}/${info.arch}, kernel ${info.kernel}`,
    });
  } catch (error) {
    const e = toAppError(error);
    add({ id: 'engine', title: 'Docker engine', status: 'fail', detail: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    for (const [id, title] of DEPENDENT_CHECKS) add({ id, title, status: 'skip', detail: 'needs the Docker engine' });
    return { ok: false, checks };
  }

  const image = await imageStatus(engine);
  const builderProblem = offlineBuilderUnavailable();
  add(
    image.present
      ? { id: 'image', title: 'Node image', status: 'ok', detail: `${image.tag} (${image.image?.builder ?? 'unknown'} builder)` }
      : {
          id: 'image',
          title: 'Node image',
          status: 'fail',
          detail: `${image.tag} is not built yet`,
          hint: builderProblem
            ? `neutron-lab image import FILE (this machine cannot build it offline: ${builderProblem})`
            : 'neutron-lab image build',
        },
  );

  if (image.present) {
    checks.push(...(await probeNodeFeatures(engine)));
  } else {
    add({ id: 'features', title: 'Kernel features in a node', status: 'skip', detail: 'needs the node image' });
  }

  const broken = (await listSessions(engine)).filter((s) => s.state === 'broken');
  add(
    broken.length === 0
      ? { id: 'leftovers', title: 'Broken labs', status: 'ok', detail: 'none' }
      : {
          id: 'leftovers',
          title: 'Broken labs',
          status: 'warn',
          detail: broken.map((s) => `${s.name} (${s.problems.join('; ')})`).join(', '),
          hint: broken.some((s) => s.booted)
            ? '`neutron-lab down NAME` removes one (a lab whose node died stays until then, so that status can say why); `up` removes a boot that never finished once it is 5 minutes old.'
            : 'The next `neutron-lab up` removes them once they are 5 minutes old; `neutron-lab down NAME` removes one now.',
        },
  );
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

const DEPENDENT_CHECKS = [
  ['image', 'Node image'],
  ['features', 'Kernel features in a node'],
  ['leftovers', 'Broken labs'],
] as const;

/** A one-node lab whose link is renamed and readdressed exactly as real labs' links are. */
function probeLab(): LoadedLab {
  return {
    file: '<doctor>',
    dir: '.',
    warnings: [],
    sha256: '', // read from no file
    lab: LabSchema.parse({
      id: 'doctor',
      title: 'doctor probe',
      summary: 'Boots one node to prove the kernel features labs need.',
      topology: {
        networks: { probe: { kind: 'data' } },
        nodes: { probe: { role: 'compute', links: [{ network: 'probe', interface: 'eth1', address: '192.0.2.1/24' }] } },
      },
    }),
  };
}

/** Each feature: the argv that proves it inside a node, and what to say when it fails. */
const FEATURES: { id: string; title: string; argv: string[][]; expect?: RegExp; hint: string }[] = [
  {
    id: 'links',
    title: 'Lab addresses on renamed links',
    argv: [['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth1']],
    expect: /192\.0\.2\.1\/24/,
    hint: 'The node init could not rename or address its link; see `docker logs` of a node.',
  },
  {
    id: 'tun',
    title: 'TUN/TAP device',
    argv: [['test', '-c', '/dev/net/tun']],
    hint: 'Load the tun module on the engine host: sudo modprobe tun',
  },
  {
    id: 'netns',
    title: 'Network namespaces',
    argv: [
      ['ip', 'netns', 'add', 'nl-probe'],
      ['ip', 'netns', 'exec', 'nl-probe', 'ip', 'link', 'set', 'lo', 'up'],
    ],
    hint: 'The engine must allow mounts with CAP_SYS_ADMIN (an AppArmor or SELinux policy may forbid them).',
  },
  {
    id: 'veth',
    title: 'veth pairs and Linux bridges',
    argv: [
      ['ip', 'link', 'add', 'nl-a', 'type', 'veth', 'peer', 'name', 'nl-b'],
      ['ip', 'link', 'add', 'nl-br', 'type', 'bridge'],
    ],
    hint: 'Load the veth and bridge modules on the engine host: sudo modprobe veth bridge',
  },
  {
    id: 'iptables',
    title: 'iptables (nf_tables)',
    argv: [
      ['iptables', '-w', '-N', 'NL-PROBE'],
      ['iptables', '-w', '-A', 'NL-PROBE', '-j', 'RETURN'],
    ],
    hint: 'Load nf_tables on the engine host: sudo modprobe nf_tables',
  },
  {
    id: 'br-netfilter',
    title: 'Bridged traffic through iptables (security groups)',
    // Two namespaces joined by a Linux bridge, as a VM's tap and qvb are by qbr: a ping between
    // them must be counted by a physdev rule in FORWARD, which is how security groups see it.
    argv: [
      ['ip', 'netns', 'add', 'nl-sga'],
      ['ip', 'netns', 'add', 'nl-sgb'],
      ['ip', 'link', 'add', 'nl-sga0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', 'nl-sga'],
      ['ip', 'link', 'add', 'nl-sgb0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', 'nl-sgb'],
      ['ip', 'link', 'add', 'nl-sgbr', 'type', 'bridge'],
      ['ip', 'link', 'set', 'nl-sga0', 'master', 'nl-sgbr', 'up'],
      ['ip', 'link', 'set', 'nl-sgb0', 'master', 'nl-sgbr', 'up'],
      ['ip', 'link', 'set', 'nl-sgbr', 'up'],
      ['ip', '-n', 'nl-sga', 'addr', 'add', '192.0.2.11/24', 'dev', 'eth0'],
      ['ip', '-n', 'nl-sga', 'link', 'set', 'eth0', 'up'],
      ['ip', '-n', 'nl-sgb', 'addr', 'add', '192.0.2.12/24', 'dev', 'eth0'],
      ['ip', '-n', 'nl-sgb', 'link', 'set', 'eth0', 'up'],
      ['iptables', '-w', '-I', 'FORWARD', '-m', 'physdev', '--physdev-in', 'nl-sga0', '--physdev-is-bridged', '-p', 'icmp', '-j', 'ACCEPT'],
      ['ip', 'netns', 'exec', 'nl-sga', 'ping', '-c', '1', '-W', '2', '192.0.2.12'],
      ['iptables', '-w', '-L', 'FORWARD', '1', '-v', '-n', '-x'],
    ],
    expect: /^\s*[1-9]\d*\s/,
    hint: 'Bridged frames do not reach iptables: load br_netfilter on the engine host (sudo modprobe br_netfilter; Docker usually does) and keep net.bridge.bridge-nf-call-iptables=1',
  },
  {
    id: 'ovs',
    title: 'Open vSwitch userspace datapath',
    argv: [
      ['ovs-vsctl', 'add-br', 'br-probe', '--', 'set', 'bridge', 'br-probe', 'datapath_type=netdev'],
      ['ovs-vsctl', 'get', 'interface', 'br-probe', 'ofport'],
    ],
    expect: /^(?!-1)\d+/m,
    hint: 'ovs-vswitchd could not create a netdev bridge; see /var/log/openvswitch/ovs-vswitchd.log in a node.',
  },
];

async function probeNodeFeatures(engine: Engine): Promise<Check[]> {
  const name = `doctor-${randomBytes(3).toString('hex')}`;
  let session: SessionStatus;
  try {
    session = await up(engine, probeLab(), { name, reconcile: false });
  } catch (error) {
    return [probeFailure(error)]; // up removes what it made when it fails
  }
  const checks = await useFeatures(engine, session).catch((error) => [probeFailure(error)]);
  const cleanup = await removeProbe(engine, session.id, name);
  return cleanup ? [...checks, cleanup] : checks;
}

async function useFeatures(engine: Engine, session: SessionStatus): Promise<Check[]> {
  const node = session.nodes[0];
  if (!node) throw new Error('the probe node is missing');
  const container = engine.docker.getContainer(node.containerId);
  return Promise.all(
    FEATURES.map(async (feature): Promise<Check> => {
      let last = { exitCode: 0, stdout: '', stderr: '' };
      for (const argv of feature.argv) {
        last = await execArgv(container, argv);
        if (last.exitCode !== 0) break;
      }
      const passed = last.exitCode === 0 && (!feature.expect || feature.expect.test(last.stdout));
      return passed
        ? { id: feature.id, title: feature.title, status: 'ok', detail: 'works in a node' }
        : {
            id: feature.id,
            title: feature.title,
            status: 'fail',
            detail: (last.stderr || last.stdout).trim().split('\n')[0] || `exit ${last.exitCode}`,
            hint: feature.hint,
          };
    }),
  );
}

function probeFailure(error: unknown): Check {
  return {
    id: 'features',
    title: 'Kernel features in a node',
    status: 'fail',
    detail: `a probe node could not boot: ${toAppError(error).message}`,
  };
}

/**
 * Removes the probe lab, trying three times: a loaded engine can fail one removal (seen once in
 * CI, the lab left running). A probe that stays is reported, never silently left behind.
 */
async function removeProbe(engine: Engine, sessionId: string, name: string): Promise<Check | undefined> {
  let last: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    try {
      await removeSession(engine, sessionId);
      return undefined;
    } catch (error) {
      last = toAppError(error);
    }
  }
  return {
    id: 'cleanup',
    title: 'Probe lab removed',
    status: 'warn',
    detail: `the probe lab ${name} could not be removed: ${last?.message}`,
    hint: `neutron-lab down ${name}`,
  };
}
