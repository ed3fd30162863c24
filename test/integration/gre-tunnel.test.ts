import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execArgv } from '../../main/core/docker/exec';
import { resolveLab } from '../../main/core/lab/catalog';
import { up } from '../../main/core/session/boot';
import { requireNode, type SessionStatus } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { ownUnderlay, run as runIn, UNDERLAY, VM_ADDRESS as VM, type GreNode } from './gre-state';
import { objectsOfSession, testEngine, uniqueName } from './helpers';

/**
 * The foundation's proof: boot gre-tenant, build a GRE tunnel between its two nodes through
 * the exec helper (br-phy owning the underlay address, DESIGN.md §3), and carry ping and a TCP
 * stream between a namespace "VM" on each node. Then `down` leaves nothing behind.
 */

const name = uniqueName('gre');
type NodeName = GreNode;

let session: SessionStatus;
const containers = new Map<NodeName, Docker.Container>();

const run = (node: NodeName, argv: string[]) => runIn(containers.get(node)!, argv).then((stdout) => ({ stdout }));

/** A userspace GRE tunnel and one namespace "VM" behind it, built command by command. */
async function buildTunnelEnd(node: NodeName, peer: NodeName): Promise<void> {
  const local = UNDERLAY[node];
  await ownUnderlay(containers.get(node)!, node);
  await run(node, [
    'ovs-vsctl',
    'add-br',
    'br-tun',
    '--',
    'set',
    'bridge',
    'br-tun',
    'datapath_type=netdev',
    '--',
    'add-port',
    'br-tun',
    'gre0',
    '--',
    'set',
    'interface',
    'gre0',
    'type=gre',
    `options:remote_ip=${UNDERLAY[peer]}`,
    `options:local_ip=${local}`,
  ]);
  // The "VM": a namespace on a veth whose host end is an OVS port (TX checksum offload off, MTU for GRE).
  await run(node, ['ip', 'netns', 'add', 'vm1']);
  await run(node, ['ip', 'link', 'add', 'tap0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', 'vm1']);
  await run(node, ['ethtool', '-K', 'tap0', 'tx', 'off']);
  await run(node, ['ip', 'netns', 'exec', 'vm1', 'ethtool', '-K', 'eth0', 'tx', 'off']);
  await run(node, ['ovs-vsctl', 'add-port', 'br-tun', 'tap0']);
  await run(node, ['ip', 'link', 'set', 'tap0', 'up']);
  await run(node, ['ip', 'netns', 'exec', 'vm1', 'ip', 'link', 'set', 'lo', 'up']);
  await run(node, ['ip', 'netns', 'exec', 'vm1', 'ip', 'addr', 'add', `${VM[node]}/24`, 'dev', 'eth0']);
  await run(node, ['ip', 'netns', 'exec', 'vm1', 'ip', 'link', 'set', 'eth0', 'mtu', '1458', 'up']);
}

beforeAll(async () => {
  const engine = await testEngine();
  session = await up(engine, await resolveLab('gre-tenant'), { name });
  for (const node of ['network', 'compute1'] as const) containers.set(node, await requireNode(engine, name, node));
});

afterAll(async () => {
  await removeSessionsNamed(await testEngine(), name);
});

describe('gre-tenant topology', () => {
  it("boots both nodes with OVS answering and the book's underlay addresses", async () => {
    expect(session.state).toBe('running');
    expect(session.nodes.map((n) => n.name)).toEqual(['compute1', 'network']);
    for (const node of ['network', 'compute1'] as const) {
      const { stdout } = await run(node, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth1']);
      expect(stdout).toContain(`${UNDERLAY[node]}/24`);
      await run(node, ['ovs-vsctl', 'show']);
    }
  });

  it('carries ping and a TCP stream between namespaces on the two nodes through a GRE tunnel', async () => {
    await buildTunnelEnd('network', 'compute1');
    await buildTunnelEnd('compute1', 'network');
    expect((await run('network', ['ovs-vsctl', 'get', 'interface', 'gre0', 'type'])).stdout.trim()).toBe('gre');

    // The first packets to a new tunnel peer may be lost while OVS resolves ARP; ping retries.
    const ping = await execArgv(containers.get('network')!, [
      'ip',
      'netns',
      'exec',
      'vm1',
      'ping',
      '-c',
      '5',
      '-i',
      '0.2',
      '-W',
      '1',
      VM.compute1,
    ]);
    expect(ping.stdout).toMatch(/ [1-5] received/);

    // A 1 MB stream proves TCP works end to end (it fails on offload or MTU mistakes while ping works).
    const payload = Buffer.alloc(1024 * 1024, 'neutron-lab ');
    const txBytes = async () => Number((await run('network', ['cat', '/sys/class/net/eth1/statistics/tx_bytes'])).stdout);
    const before = await txBytes();
    const server = execArgv(containers.get('compute1')!, ['ip', 'netns', 'exec', 'vm1', 'timeout', '20', 'nc', '-l', '-p', '5001']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const client = await execArgv(containers.get('network')!, ['ip', 'netns', 'exec', 'vm1', 'nc', '-N', '-w', '10', VM.compute1, '5001'], {
      stdin: payload,
    });
    expect(client.exitCode).toBe(0);
    const received = await server;
    expect(received.stdout.length).toBe(payload.length);
    expect(received.stdout === payload.toString()).toBe(true);

    // And the stream really crossed the underlay inside GRE: the NIC under br-phy carried it,
    // and the tunnel port was used. (Userspace tunnel ports count only slow-path packets, so
    // the kernel's NIC counters are the reliable witness.)
    const after = await txBytes();
    expect(after - before).toBeGreaterThan(payload.length);
    const ports = (await run('network', ['ovs-ofctl', 'dump-ports', 'br-tun', 'gre0'])).stdout;
    expect(Number(/tx pkts=(\d+)/.exec(ports)?.[1])).toBeGreaterThan(0);
  });

  it('down removes every container and network of the session', async () => {
    const removed = await removeSessionsNamed(await testEngine(), name);
    expect(removed).toEqual({ containers: 2, networks: 1 });
    expect(await objectsOfSession(name)).toEqual({ containers: [], networks: [] });
  });
});
