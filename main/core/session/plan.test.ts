import { describe, expect, it } from 'vitest';
import { LABEL } from '../docker/labels';
import { parseLab } from '../lab/load';
import { formatLinksLabel, nodeContainerOptions, parseLinksLabel, planSession } from './plan';

const lab = parseLab(
  `id: two-nodes
title: t
summary: s
topology:
  networks:
    data: { kind: data }
    ext: { kind: external }
  nodes:
    network:
      role: network
      links:
        - { network: data, interface: eth1, address: 10.0.0.100/24 }
        - { network: ext, interface: eth2, address: 172.24.4.2/24, gateway: 172.24.4.1 }
    solo:
      role: compute
`,
  'lab.yaml',
).lab;

const plan = planSession({ lab, name: 'class-7', id: 'abc123', image: 'neutron-lab/node:0123456789ab', owner: 'host:42' });
const subnets = new Map([
  ['nl-class-7-data', '172.19.0.0/16'],
  ['nl-class-7-ext', '172.20.0.0/16'],
]);

describe('planSession', () => {
  it('names containers and networks after the session, so two copies of a lab can run', () => {
    expect(plan.nodes.map((n) => n.containerName)).toEqual(['nl-class-7-network', 'nl-class-7-solo']);
    expect(plan.networks.map((n) => n.dockerName)).toEqual(['nl-class-7-data', 'nl-class-7-ext']);
  });

  it('labels everything with the session, the lab and what a complete session holds', () => {
    const node = plan.nodes[0]!;
    expect(node.labels).toMatchObject({
      [LABEL.managed]: '2',
      [LABEL.session]: 'class-7',
      [LABEL.sessionId]: 'abc123',
      [LABEL.lab]: 'two-nodes',
      [LABEL.owner]: 'host:42',
      [LABEL.expectedNodes]: '2',
      [LABEL.expectedNetworks]: '2',
      [LABEL.node]: 'network',
      [LABEL.role]: 'network',
    });
    expect(plan.networks[1]!.labels).toMatchObject({ [LABEL.sessionId]: 'abc123', [LABEL.network]: 'ext' });
  });

  it('plans the boot mark under the session and its id, with the labels that tie it to them', () => {
    expect(plan.mark.volumeName).toBe('nl-class-7-booted-abc123');
    expect(plan.mark.labels).toMatchObject({ [LABEL.session]: 'class-7', [LABEL.sessionId]: 'abc123', [LABEL.expectedNodes]: '2' });
  });
});

describe('nodeContainerOptions', () => {
  const options = nodeContainerOptions(plan, plan.nodes[0]!, subnets);
  const host = options.HostConfig!;

  it('grants exactly NET_ADMIN, NET_RAW and SYS_ADMIN, and never privileged', () => {
    expect(host.CapAdd).toEqual(['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN']);
    expect(host.Privileged).toBe(false);
  });

  it('mounts nothing from the host, shares no host namespace, and passes only the TUN device', () => {
    expect(host.Binds).toBeUndefined();
    expect(host.Mounts).toBeUndefined();
    expect(host.NetworkMode).toBe('nl-class-7-data');
    expect(host.PidMode).toBeUndefined();
    expect(host.IpcMode).toBeUndefined();
    expect(host.Devices).toEqual([{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }]);
  });

  it('limits memory, processes and CPU so that the processes fit in the memory (a fork bomb hits the pids limit, not the OOM killer)', () => {
    expect(host.Memory).toBe(256 * 1024 * 1024);
    expect(host.PidsLimit).toBe(256);
    // A fork bomb's bash costs 0.2-0.35 MB here and over 0.5 MB where a class saw 512 pids OOM-kill a node: 1 MB per pid.
    expect(host.Memory! / host.PidsLimit!).toBeGreaterThanOrEqual(1024 * 1024);
    expect(host.NanoCpus).toBe(1_000_000_000);
  });

  it("tells the init each link's Docker subnet, lab name, address and gateway", () => {
    expect(options.Env).toContain('NL_LINKS=172.19.0.0/16 eth1 10.0.0.100/24 -\n172.20.0.0/16 eth2 172.24.4.2/24 172.24.4.1');
    expect(options.NetworkingConfig).toEqual({ EndpointsConfig: { 'nl-class-7-data': {} } });
  });

  it('gives a node without links no network at all', () => {
    const solo = nodeContainerOptions(plan, plan.nodes[1]!, subnets);
    expect(solo.HostConfig?.NetworkMode).toBe('none');
    expect(solo.Env).toContain('NL_LINKS=');
    expect(solo.NetworkingConfig).toBeUndefined();
  });

  it('refuses to guess a subnet it was not given', () => {
    expect(() => nodeContainerOptions(plan, plan.nodes[0]!, new Map())).toThrow(/no Docker subnet/);
  });
});

describe('links label', () => {
  it('round-trips', () => {
    const text = formatLinksLabel(plan.nodes[0]!.links);
    expect(text).toBe('eth1=data=10.0.0.100/24,eth2=ext=172.24.4.2/24');
    expect(parseLinksLabel(text)).toEqual([
      { interface: 'eth1', network: 'data', address: '10.0.0.100/24' },
      { interface: 'eth2', network: 'ext', address: '172.24.4.2/24' },
    ]);
    expect(parseLinksLabel('')).toEqual([]);
  });
});
