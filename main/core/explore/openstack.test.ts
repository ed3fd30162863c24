import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planChanges } from '../cloud/diff';
import { resolveCloud } from '../cloud/model';
import { renderCloud } from '../cloud/render';
import { CloudSchema } from '../cloud/schema';
import { lintLab, parseLab } from '../lab/load';
import type { Lab } from '../lab/schema';
import { validateLab } from '../lab/validate';
import { sandboxAsLab } from './as-lab';
import { neutronClient } from './neutron-client';
import { openstack } from './openstack';

const FILE = join(import.meta.dirname, '..', '..', '..', 'labs', 'explore', 'lab.yaml');
const sandbox = (): Lab => parseLab(readFileSync(FILE, 'utf8'), FILE).lab;

/** Runs calls one after another as the service does: each successful change becomes the lab's cloud. */
function session(lab = sandbox()) {
  return {
    get lab() {
      return lab;
    },
    call(...argv: string[]) {
      const result = openstack(lab, argv);
      if (result.cloud) lab = { ...lab, cloud: CloudSchema.parse(result.cloud) };
      return result;
    },
  };
}

describe('openstack (the sandbox client)', () => {
  it('allocates as ML2 does: the lowest free VNI, the DHCP port after the gateway, servers after it, on the least loaded compute', () => {
    const s = session();
    expect(JSON.parse(s.call('network', 'create', 'a', '-f', 'json').stdout)).toMatchObject({
      'provider:segmentation_id': 1,
      'provider:network_type': 'vxlan',
    });
    expect(JSON.parse(s.call('network', 'create', 'b', '-f', 'json').stdout)).toMatchObject({ 'provider:segmentation_id': 2 });
    s.call('network', 'delete', 'a');
    expect(s.call('network', 'create', 'c', '-c', 'provider:segmentation_id', '-f', 'value').stdout).toBe('1\n');
    s.call('subnet', 'create', '--network', 'c', '--subnet-range', '10.9.0.0/24', 'c-sub');
    expect(s.lab.cloud.networks.c!.dhcp).toMatchObject({ node: 'network', address: '10.9.0.2' });
    s.call('server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'c', 'one');
    s.call('server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'c', 'two');
    expect(s.lab.cloud.vms.one).toMatchObject({ node: 'compute1', address: '10.9.0.3', dhcp: true, securityGroups: ['default'] });
    expect(s.lab.cloud.vms.two).toMatchObject({ node: 'compute2', address: '10.9.0.4' });
    expect(validateLab(s.lab, undefined).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('prints as the client does: a Field/Value table, a list table, json, yaml, value, chosen columns', () => {
    const s = session();
    const table = s.call('network', 'create', 'net1').stdout.split('\n');
    expect(table[0]).toMatch(/^\+-+\+-+\+$/);
    expect(table[1]).toMatch(/^\| Field +\| Value +\|$/);
    expect(table).toContainEqual(expect.stringMatching(/^\| provider:network_type +\| vxlan +\|$/));
    expect(s.call('network', 'list', '-c', 'Name').stdout).toBe(
      ['+------+', '| Name |', '+------+', '| net1 |', '+------+', ''].join('\n'),
    );
    expect(s.call('network', 'list', '-f', 'value', '-c', 'Name').stdout).toBe('net1\n');
    expect(s.call('network', 'show', 'net1', '-f', 'yaml', '-c', 'name', '-c', 'shared', '-c', 'subnets').stdout).toBe(
      'name: net1\nshared: false\nsubnets: []\n',
    );
    expect(s.call('subnet', 'list', '-f', 'json').stdout).toBe('[]\n');
    const missing = s.call('network', 'list', '-c', 'Nope');
    expect(missing).toMatchObject({ exitCode: 2 });
    expect(missing.stderr).toContain("No recognized column names in ['Nope']");
  });

  it('changes nothing when a call fails, even half way (a delete of several stops at none)', () => {
    const s = session();
    s.call('network', 'create', 'keep');
    const before = JSON.stringify(s.lab.cloud);
    const failed = s.call('network', 'delete', 'keep', 'ghost');
    expect(failed.exitCode).toBe(1);
    expect(failed.cloud).toBeUndefined();
    expect(failed.stderr).toContain("Failed to delete network with name or ID 'ghost'");
    expect(failed.stderr).toContain('1 of 2 networks failed to delete.');
    expect(JSON.stringify(s.lab.cloud)).toBe(before);
  });

  it('refuses what Neutron refuses, with its words', () => {
    const s = session();
    const said = (...argv: string[]) => {
      const r = s.call(...argv);
      return `${r.exitCode} ${r.stderr.trim().split('\n').at(-1)}`;
    };
    expect(said('network', 'create', '--provider-network-type', 'vlan', 'v')).toBe(
      '1 BadRequestException: Invalid input for operation: segmentation_id required for VLAN provider network.',
    );
    expect(
      said(
        'network',
        'create',
        '--provider-network-type',
        'vlan',
        '--provider-physical-network',
        'nowhere',
        '--provider-segment',
        '5',
        'v',
      ),
    ).toMatch(/^1 .*physical_network 'nowhere' unknown/);
    expect(said('network', 'create', '--provider-network-type', 'flat', '--provider-segment', '5', 'f')).toMatch(
      /segmentation_id specified for flat/,
    );
    s.call('network', 'create', '--provider-network-type', 'vlan', '--provider-segment', '100', 'v1');
    expect(said('network', 'create', '--provider-network-type', 'vlan', '--provider-segment', '100', 'v2')).toBe(
      '1 ConflictException: Unable to create the network. The VLAN 100 on physical network physnet1 is in use.',
    );
    expect(said('network', 'create', '--provider-segment', 'ten', 'x')).toMatch(
      /^2 openstack network create: error: argument --provider-segment: invalid int value: 'ten'$/,
    );
    expect(said('subnet', 'create', '--network', 'v1', '--subnet-range', '10.0.0.300/24', 's')).toMatch(/is not a valid IP subnet/);
    expect(said('server', 'create', '--flavor', 'm1.tiny', '--network', 'v1', 'vm')).toMatch(/^2 .*required: --image/);
    expect(said('server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'v1', 'vm')).toMatch(
      /requires a subnet in order to boot/,
    );
    expect(said('network')).toMatch(/^2 This sandbox knows: network create/);
    // Accepted by the client, not modelled by the sandbox's agents: refused, not ignored (nothing made).
    expect(said('network', 'create', '--disable', 'down')).toBe(
      '2 openstack network create: error: argument --disable: this sandbox does not model a network kept administratively down (admin_state_up False); leave it out',
    );
    expect(said('router', 'create', '--disable', 'r')).toMatch(/^2 .*does not model a router kept administratively down/);
    expect(s.call('network', 'list', '-f', 'value', '-c', 'Name').stdout).not.toMatch(/^down$/m);
    expect(s.call('network', 'create', '--enable', 'up').exitCode).toBe(0);
  });
  it('builds a distributed router as the L3 plugin does: SNAT ports with the gateway, an fg- port per host with floating IPs, gone with them', () => {
    const s = session();
    const ok = (...argv: string[]) => {
      const result = s.call(...argv);
      expect(result.exitCode, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };
    const server = (vm: string, network: string, host: string) =>
      ok('server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', network, '--availability-zone', `nova:${host}`, vm);
    ok('network', 'create', '--external', '--provider-network-type', 'flat', '--provider-physical-network', 'extnet', 'ext');
    ok('subnet', 'create', '--network', 'ext', '--subnet-range', '9.186.100.0/24', '--gateway', '9.186.100.1', '--no-dhcp', 'public');
    for (const [net, range] of [
      ['red', '10.0.0.0/24'],
      ['blue', '10.0.1.0/24'],
    ]) {
      ok('network', 'create', net!);
      ok('subnet', 'create', '--network', net!, '--subnet-range', range!, `${net}-sub`);
    }
    expect(s.call('router', 'create', '--distributed', 'dvr1', '-c', 'distributed', '-f', 'value').stdout).toBe('True\n');
    ok('router', 'add', 'subnet', 'dvr1', 'red-sub');
    ok('router', 'add', 'subnet', 'dvr1', 'blue-sub');
    // No gateway, no SNAT port; no floating IP, no fg- port: nothing of cloud.dvr.
    expect(s.lab.cloud.routers.dvr1!.interfaces.map((i) => i.snat)).toEqual([undefined, undefined]);
    ok('router', 'set', '--external-gateway', 'ext', 'dvr1');
    // The gateway brings an SNAT port on each subnet: the next free address after the DHCP port.
    expect(s.lab.cloud.routers.dvr1!.interfaces.map((i) => i.snat?.address)).toEqual(['10.0.0.3', '10.0.1.3']);
    expect(s.lab.cloud.networks.red!.localVlans).toEqual({ network: 1 });
    server('vm1', 'red', 'compute1');
    server('vm2', 'blue', 'compute2');
    expect(s.lab.cloud.vms.vm1!.address).toBe('10.0.0.4');
    expect(s.lab.cloud.dvr).toBeUndefined();
    ok('floating', 'ip', 'create', '--port', 'vm1', 'ext');
    // compute1 serves vm1's floating IP: its fg- port takes the next address of the external network.
    expect(s.lab.cloud.floatingIps[0]).toMatchObject({ address: '9.186.100.3', vm: 'vm1', router: 'dvr1' });
    expect(s.lab.cloud.dvr).toEqual({ compute1: { fipGateway: expect.objectContaining({ address: '9.186.100.4' }) } });
    expect(validateLab(s.lab, undefined).filter((p) => p.severity === 'error')).toEqual([]);
    const rendered = renderCloud(s.lab);
    const keys = rendered.parts.map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining(['network/snat/dvr1', 'compute1/router/dvr1', 'compute1/fip-namespace', 'compute2/router/dvr1']),
    );
    expect(keys).not.toContain('compute2/fip-namespace');
    // A second floating IP on the same host keeps its fg- port, a third on another host gets one.
    server('vm3', 'red', 'compute1');
    ok('floating', 'ip', 'create', '--port', 'vm3', 'ext');
    ok('floating', 'ip', 'create', '--port', 'vm2', 'ext');
    expect(Object.keys(s.lab.cloud.dvr ?? {})).toEqual(['compute1', 'compute2']);
    expect(s.lab.cloud.dvr!.compute1!.fipGateway!.address).toBe('9.186.100.4');
    expect(s.lab.cloud.dvr!.compute2!.fipGateway!.address).toBe('9.186.100.7');
    // Both kinds of port are Neutron's, and listed as such.
    const owners = (JSON.parse(s.call('port', 'list', '-f', 'json').stdout) as { ID: string }[]).map(
      (p) => JSON.parse(s.call('port', 'show', p.ID, '-f', 'json').stdout) as { device_owner: string; binding_host_id: string },
    );
    expect(owners.filter((o) => o.device_owner === 'network:router_centralized_snat')).toHaveLength(2);
    expect(owners.filter((o) => o.device_owner === 'network:floatingip_agent_gateway').map((o) => o.binding_host_id)).toEqual([
      'compute1',
      'compute2',
    ]);
    // Refused: a second external network for distributed routers.
    ok(
      'network',
      'create',
      '--external',
      '--provider-network-type',
      'vlan',
      '--provider-physical-network',
      'physnet1',
      '--provider-segment',
      '200',
      'ext2',
    );
    ok('subnet', 'create', '--network', 'ext2', '--subnet-range', '9.186.200.0/24', '--no-dhcp', 'public2');
    ok('router', 'create', '--distributed', 'dvr2');
    expect(s.call('router', 'set', '--external-gateway', 'ext2', 'dvr2').stderr).toMatch(/share one external network \(ext\)/);
    // Undone in reverse: each port goes with what brought it.
    for (const fip of ['9.186.100.6', '9.186.100.5']) ok('floating', 'ip', 'delete', fip);
    expect(Object.keys(s.lab.cloud.dvr ?? {})).toEqual(['compute1']);
    ok('server', 'delete', 'vm3');
    ok('floating', 'ip', 'delete', '9.186.100.3');
    expect(s.lab.cloud.dvr).toBeUndefined();
    ok('router', 'unset', '--external-gateway', 'dvr1');
    expect(s.lab.cloud.routers.dvr1!.interfaces.map((i) => i.snat)).toEqual([undefined, undefined]);
    expect(validateLab(s.lab, undefined).filter((p) => p.severity === 'error')).toEqual([]);
  });
});

describe('neutron (the legacy client the book uses)', () => {
  it('runs the book-era verbs as the same calls, with the old client words around the answer', () => {
    let lab = sandbox();
    const call = (...argv: string[]) => {
      const result = neutronClient(lab, argv);
      if (result.cloud) lab = { ...lab, cloud: CloudSchema.parse(result.cloud) };
      return result;
    };
    const net = call('net-create', '--provider:network_type', 'vxlan', '--provider:segmentation_id', '1001', 'tenant');
    expect(net.stdout.split('\n')[0]).toBe('Created a new network:');
    expect(net.stdout).toMatch(/\| provider:segmentation_id +\| 1001 +\|/);
    expect(call('subnet-create', '--name', 'private', '--disable-dhcp', 'tenant', '10.0.0.0/24').exitCode).toBe(0);
    expect(lab.cloud.networks.tenant!.subnets.private).toMatchObject({ cidr: '10.0.0.0/24' });
    expect(lab.cloud.networks.tenant!.dhcp).toBeUndefined();
    call('net-create', '--router:external', 'True', '--provider:network_type', 'flat', '--provider:physical_network', 'extnet', 'ext');
    expect(lab.cloud.networks.ext!.external).toBe(true);
    call('subnet-create', '--name', 'public', '--gateway', '9.186.100.1', '--disable-dhcp', 'ext', '9.186.100.0/24');
    const down = call('router-create', '--admin-state-down', 'router1');
    expect(down.exitCode).toBe(2);
    expect(down.stderr).toContain('does not model a router kept administratively down');
    call('router-create', 'router1');
    expect(call('router-gateway-set', 'router1', 'ext').stdout).toBe('Set gateway for router router1\n');
    expect(call('router-interface-add', 'router1', 'private').stdout).toBe('Added interface to router router1.\n');
    expect(lab.cloud.routers.router1).toMatchObject({
      gateway: { network: 'ext', address: '9.186.100.2' },
      interfaces: [{ subnet: 'tenant/private' }],
    });
    call(
      'security-group-rule-create',
      '--direction',
      'ingress',
      '--protocol',
      'tcp',
      '--port-range-min',
      '80',
      '--port-range-max',
      '81',
      'default',
    );
    expect(lab.cloud.securityGroups.default!.rules.at(-1)).toEqual({ direction: 'ingress', protocol: 'tcp', port: '80:81' });
    expect(call('port-list', '-f', 'value', '-c', 'MAC Address').stdout.trim().split('\n')).toHaveLength(2);
    expect(call('net-delete', 'tenant').exitCode).toBe(1);
    expect(call('frobnicate')).toMatchObject({ exitCode: 2 });
  });
});

describe('sandboxAsLab', () => {
  it("writes the calls' cloud as a lab file that lints clean and holds the same cloud", () => {
    const s = session();
    s.call('network', 'create', 'net1');
    s.call(
      'subnet',
      'create',
      '--network',
      'net1',
      '--subnet-range',
      '10.1.0.0/24',
      '--allocation-pool',
      'start=10.1.0.10,end=10.1.0.99',
      'sub1',
    );
    s.call('server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'net1', 'vm1');
    const text = sandboxAsLab(s.lab, 'my-cloud');
    const { lab, problems } = lintLab(text, '/labs/my-cloud/lab.yaml');
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(lab).toMatchObject({ id: 'my-cloud', sandbox: false, steps: [] });
    expect(lab!.cloud).toEqual(s.lab.cloud);
  });

  it('shares a network and makes it external with network set, and offers a subnet’s DNS servers by DHCP', () => {
    const s = session();
    expect(s.call('network', 'create', '--share', 'pub', '-c', 'shared', '-f', 'value').stdout).toBe('True\n');
    expect(s.call('network', 'create', 'priv', '-c', 'shared', '-f', 'value').stdout).toBe('False\n');
    expect(s.call('network', 'set', '--share', '--external', 'priv')).toMatchObject({ exitCode: 0, stdout: '' });
    expect(s.call('network', 'show', 'priv', '-c', 'shared', '-c', 'router:external', '-f', 'value').stdout).toBe('True\nExternal\n');
    expect(s.call('network', 'set', '--name', 'other', 'priv')).toMatchObject({ exitCode: 2 });
    // The legacy client's --shared is the same flag.
    expect(neutronClient(s.lab, ['net-create', '--shared', 'old', '-f', 'value', '-c', 'shared']).stdout).toBe(
      'Created a new network:\nTrue\n',
    );

    const sub = s.call(
      'subnet',
      'create',
      '--network',
      'pub',
      '--subnet-range',
      '10.7.0.0/24',
      '--dns-nameserver',
      '8.8.8.8',
      '--dns-nameserver',
      '8.8.4.4',
      'pub-sub',
      '-f',
      'json',
    );
    expect(JSON.parse(sub.stdout)).toMatchObject({ dns_nameservers: ['8.8.8.8', '8.8.4.4'] });
    expect(s.lab.cloud.networks.pub!.subnets['pub-sub']!.dnsNameservers).toEqual(['8.8.8.8', '8.8.4.4']);
    const bad = s.call('subnet', 'create', '--network', 'priv', '--subnet-range', '10.8.0.0/24', '--dns-nameserver', 'dns.example', 'x');
    expect([bad.exitCode, bad.cloud]).toEqual([1, undefined]);
    expect(bad.stderr).toContain("'dns.example' is not a valid nameserver");

    // A router's gateway keeps its network external.
    s.call('router', 'create', 'r1');
    s.call('subnet', 'create', '--network', 'priv', '--subnet-range', '9.186.100.0/24', '--no-dhcp', 'ext-sub');
    expect(s.call('router', 'set', '--external-gateway', 'priv', 'r1').exitCode).toBe(0);
    const internal = s.call('network', 'set', '--internal', 'priv');
    expect([internal.exitCode, internal.cloud]).toEqual([1, undefined]);
    expect(internal.stderr).toContain('ports still in use');
  });

  it('allocates a floating IP without a port, associates it with a server and back, and keeps it when the server goes', () => {
    const s = session();
    for (const argv of [
      ['network', 'create', 'net1'],
      ['subnet', 'create', '--network', 'net1', '--subnet-range', '10.1.0.0/24', 'sub1'],
      ['network', 'create', '--external', '--provider-network-type', 'flat', '--provider-physical-network', 'extnet', 'ext'],
      ['subnet', 'create', '--network', 'ext', '--subnet-range', '9.186.100.0/24', '--no-dhcp', 'public'],
      ['server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'net1', 'vm1'],
    ])
      expect(s.call(...argv).exitCode, argv.join(' ')).toBe(0);
    const fip = JSON.parse(s.call('floating', 'ip', 'create', 'ext', '-f', 'json').stdout) as Record<string, unknown>;
    expect(fip).toMatchObject({ floating_ip_address: '9.186.100.2', port_id: null, router_id: null, status: 'DOWN' });
    // No router joins vm1's subnet to ext yet: Neutron's words, nothing changed.
    const unreachable = s.call('server', 'add', 'floating', 'ip', 'vm1', '9.186.100.2');
    expect([unreachable.exitCode, unreachable.cloud]).toEqual([1, undefined]);
    expect(unreachable.stderr).toContain('is not reachable from subnet');
    for (const argv of [
      ['router', 'create', 'r1'],
      ['router', 'set', '--external-gateway', 'ext', 'r1'],
      ['router', 'add', 'subnet', 'r1', 'sub1'],
      ['server', 'add', 'floating', 'ip', 'vm1', '9.186.100.2'],
    ])
      expect(s.call(...argv).exitCode, argv.join(' ')).toBe(0);
    expect(s.lab.cloud.floatingIps).toEqual([{ address: '9.186.100.2', network: 'ext', vm: 'vm1', router: 'r1' }]);
    expect(s.call('floating', 'ip', 'show', '9.186.100.2', '-c', 'status', '-f', 'value').stdout).toBe('ACTIVE\n');
    // The legacy verbs are the same calls.
    expect(neutronClient(s.lab, ['floatingip-disassociate', '9.186.100.2']).exitCode).toBe(0);
    expect(s.call('floating', 'ip', 'unset', '--port', '9.186.100.2').exitCode).toBe(0);
    expect(s.lab.cloud.floatingIps).toEqual([{ address: '9.186.100.2', network: 'ext' }]);
    expect(s.call('floating', 'ip', 'set', '--port', 'vm1', '--fixed-ip-address', '10.1.0.9', '9.186.100.2').exitCode).toBe(1);
    expect(s.call('floating', 'ip', 'set', '--port', 'vm1', '9.186.100.2').exitCode).toBe(0);
    // A server's delete leaves its floating IP allocated, on its network.
    expect(s.call('server', 'delete', 'vm1').exitCode).toBe(0);
    expect(s.lab.cloud.floatingIps).toEqual([{ address: '9.186.100.2', network: 'ext' }]);
    const problems = validateLab(s.lab, undefined).filter((p) => p.severity === 'error');
    expect(problems).toEqual([]);
    // And gone with its delete.
    expect(s.call('floating', 'ip', 'delete', '9.186.100.2').exitCode).toBe(0);
    expect(s.lab.cloud.floatingIps).toEqual([]);
  });

  it('keeps a network’s local VLAN on a node while it is there: another network going changes nothing of it', () => {
    const s = session();
    const server = (vm: string, network: string) =>
      s.call(
        'server',
        'create',
        '--image',
        'cirros',
        '--flavor',
        'm1.tiny',
        '--network',
        network,
        '--availability-zone',
        'nova:compute1',
        vm,
      );
    for (const [net, range] of [
      ['a', '10.1.0.0/24'],
      ['b', '10.2.0.0/24'],
    ]) {
      s.call('network', 'create', net!);
      s.call('subnet', 'create', '--network', net!, '--subnet-range', range!, `${net}-sub`);
      expect(server(`vm-${net}`, net!).exitCode).toBe(0);
    }
    expect(s.lab.cloud.networks.a!.localVlans).toEqual({ network: 1, compute1: 1 });
    expect(s.lab.cloud.networks.b!.localVlans).toEqual({ network: 2, compute1: 2 });
    const before = renderCloud(s.lab);
    s.call('server', 'delete', 'vm-a');
    // a has left compute1 (its DHCP port stays on the network node); b keeps VLAN 2 there.
    expect(s.lab.cloud.networks.a!.localVlans).toEqual({ network: 1 });
    expect(s.lab.cloud.networks.b!.localVlans).toEqual({ network: 2, compute1: 2 });
    const compute1 = planChanges(before, renderCloud(s.lab)).find((c) => c.node === 'compute1')!;
    // vm-b's port keeps its tag: only a's tunnel flows go, and vm-b's group forgets member vm-a.
    expect(compute1.changed).toEqual(['compute1/tunnel-flows', 'compute1/security-group/vm-b']);
    expect(compute1.removed).toEqual(['compute1/vm/vm-a', 'compute1/security-group/vm-a']);
    // A network new on compute1 gets the VLAN a gave back.
    s.call('network', 'create', 'c');
    s.call('subnet', 'create', '--network', 'c', '--subnet-range', '10.3.0.0/24', 'c-sub');
    expect(server('vm-c', 'c').exitCode).toBe(0);
    expect(s.lab.cloud.networks.c!.localVlans).toEqual({ network: 3, compute1: 1 });
  });
});

describe('the LBaaS v1 and FWaaS v1 verbs (neutron only)', () => {
  /** A session of legacy calls: each that changes the cloud becomes the lab's, and must be valid. */
  function legacy() {
    let lab = sandbox();
    const run = (...argv: string[]) => {
      const result = neutronClient(lab, argv);
      if (result.cloud) lab = { ...lab, cloud: CloudSchema.parse(result.cloud) };
      expect(validateLab(lab, undefined).filter((p) => p.severity === 'error')).toEqual([]);
      return result;
    };
    const ok = (...argv: string[]) => {
      const result = run(...argv);
      expect(result.exitCode, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
      return result;
    };
    const refused = (...argv: string[]) => {
      const before = JSON.stringify(lab.cloud);
      const result = run(...argv);
      expect(result.exitCode, argv.join(' ')).not.toBe(0);
      expect(JSON.stringify(lab.cloud)).toBe(before);
      return result.stderr.trim();
    };
    const os = (...argv: string[]) => {
      const result = openstack(lab, argv);
      expect(result.exitCode, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
      if (result.cloud) lab = { ...lab, cloud: CloudSchema.parse(result.cloud) };
    };
    const value = (text: string, field: string) => new RegExp(`^\\| ${field} +\\| (\\S*)`, 'm').exec(text)?.[1];
    return { run, ok, refused, os, value, lab: () => lab };
  }

  it("builds the lbaas lab's pool by its verbs, deploys it only with its VIP, and takes it apart again", () => {
    const { ok, refused, os, value, lab } = legacy();
    os('network', 'create', 'tenant');
    os('subnet', 'create', '--network', 'tenant', '--subnet-range', '10.0.0.0/24', 'private');
    for (const vm of ['vm1', 'vm2']) os('server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'tenant', vm);
    const pool = ok(
      'lb-pool-create',
      '--lb-method',
      'LEAST_CONNECTIONS',
      '--name',
      'lb-pool',
      '--protocol',
      'TCP',
      '--subnet-id',
      'private',
    );
    expect(pool.stdout.split('\n')[0]).toBe('Created a new pool:');
    expect(value(pool.stdout, 'vip_id')).toBe('None');
    // The openstack client has no LBaaS v1.
    expect(openstack(lab(), ['lb-pool-create', '--name', 'x']).exitCode).toBe(2);
    for (const address of ['10.0.0.3', '10.0.0.4']) ok('lb-member-create', '--address', address, '--protocol-port', '22', 'lb-pool');
    expect(refused('lb-member-create', '--address', '10.0.0.9', '--protocol-port', '22', 'lb-pool')).toMatch(
      /no server has address 10\.0\.0\.9/,
    );
    expect(refused('lb-member-create', '--address', '10.0.0.3', '--protocol-port', '22', 'lb-pool')).toMatch(/already present in pool/);
    const monitor = value(
      ok('lb-healthmonitor-create', '--delay', '1', '--type', 'PING', '--max-retries', '2', '--timeout', '1').stdout,
      'id',
    )!;
    expect(refused('lb-healthmonitor-create', '--delay', '1', '--type', 'PING', '--max-retries', '2', '--timeout', '5')).toMatch(
      /delay must be greater than or equal to timeout/,
    );
    expect(ok('lb-healthmonitor-associate', monitor, 'lb-pool').stdout).toBe(`Associated health monitor ${monitor}\n`);
    // No VIP yet: the API has the pool, no agent deploys it.
    expect(renderCloud(lab()).parts.map((p) => p.key)).not.toContain('network/pool/lb-pool');
    expect(
      refused('lb-vip-create', '--name', 'vip', '--protocol-port', '22', '--protocol', 'HTTP', '--subnet-id', 'private', 'lb-pool'),
    ).toMatch(/does not match the pool protocol TCP/);
    const vip = ok(
      'lb-vip-create',
      '--name',
      'vip',
      '--protocol-port',
      '22',
      '--protocol',
      'TCP',
      '--subnet-id',
      'private',
      '--address',
      '10.0.0.250',
      'lb-pool',
    );
    expect(value(vip.stdout, 'address')).toBe('10.0.0.250');
    // What the agent deploys is the lbaas lab's pool: the book's method, VIP, members and monitor.
    const [ours] = resolveCloud(lab()).pools;
    const bookFile = join(FILE, '..', '..', 'lbaas', 'lab.yaml');
    const book = parseLab(readFileSync(bookFile, 'utf8'), bookFile).lab;
    const [theirs] = resolveCloud(book).pools;
    const shape = (p: typeof ours) => ({
      protocol: p!.protocol,
      method: p!.method,
      vip: [p!.vip.address, p!.vip.port],
      members: p!.members.map((m) => [m.address === '10.0.0.3' ? '10.0.0.2' : m.address, m.port, m.weight]),
      monitor: p!.monitor,
    });
    expect(shape(ours)).toEqual(shape(theirs));
    expect(renderCloud(lab()).parts.map((p) => p.key)).toContain('network/pool/lb-pool');
    // Taken apart in reverse; what is in use says so.
    expect(refused('lb-pool-delete', 'lb-pool')).toMatch(/is still in use/);
    expect(refused('subnet-delete', 'private')).toMatch(/One or more ports have an IP allocation|pool lb-pool is on it/);
    ok('lb-vip-delete', 'vip');
    expect(ok('lb-healthmonitor-delete', monitor).stdout).toBe(`Deleted health_monitor: ${monitor}\n`);
    expect(lab().cloud.pools['lb-pool']!.monitor).toBeUndefined();
    const members = JSON.parse(ok('lb-member-list', '-f', 'json').stdout) as { id: string }[];
    for (const m of members) ok('lb-member-delete', m.id);
    ok('lb-pool-delete', 'lb-pool');
    expect(lab().cloud.pools).toEqual({});
    expect(lab().cloud.healthMonitors).toBeUndefined();
  });

  it("builds the fwaas lab's firewall from a rule and a policy, and follows the policy as it changes", () => {
    const { ok, refused, os, value, lab } = legacy();
    os('network', 'create', 'tenant');
    os('subnet', 'create', '--network', 'tenant', '--subnet-range', '10.0.0.0/24', 'private');
    os('router', 'create', 'router1');
    os('router', 'add', 'subnet', 'router1', 'private');
    ok(
      'firewall-rule-create',
      '--name',
      'r1',
      '--protocol',
      'tcp',
      '--source-ip-address',
      '0.0.0.0/0',
      '--source-port',
      '1:65535',
      '--destination-ip-address',
      '10.0.0.0/24',
      '--destination-port',
      '22',
      '--action',
      'allow',
    );
    expect(refused('firewall-rule-create', '--protocol', 'icmp', '--destination-port', '22', '--action', 'allow')).toMatch(
      /port are not allowed when protocol is set to ICMP/,
    );
    ok('firewall-policy-create', '--firewall-rules', 'r1', 'p1');
    const fw = ok('firewall-create', '--name', 'fw1', 'p1');
    expect(value(fw.stdout, 'router_ids')).toBe(lab().cloud.routers.router1!.id);
    // The agent's rules are the fwaas lab's (the book's r1).
    const bookFile = join(FILE, '..', '..', 'fwaas', 'lab.yaml');
    const book = parseLab(readFileSync(bookFile, 'utf8'), bookFile).lab;
    const rules = (l: Lab) => resolveCloud(l).firewalls[0]!.rules.map(({ id: _, ...rule }) => rule);
    expect(rules(lab())).toEqual(rules(book));
    // A rule inserted into the policy reaches the router; one in a policy cannot go, nor can a policy in use.
    ok('firewall-rule-create', '--name', 'ping', '--protocol', 'icmp', '--action', 'allow');
    expect(ok('firewall-policy-insert-rule', 'p1', 'ping', '--insert-before', 'r1').stdout.split('\n')[0]).toBe(
      'Inserted firewall rule in firewall policy p1',
    );
    expect(rules(lab()).map((r) => r.protocol)).toEqual(['icmp', 'tcp']);
    expect(value(ok('firewall-rule-show', 'ping').stdout, 'position')).toBe('1');
    expect(refused('firewall-policy-create', '--firewall-rules', 'ping', 'p2')).toMatch(/already associated with FirewallPolicy/);
    expect(refused('firewall-rule-delete', 'ping')).toMatch(/is being used/);
    expect(refused('firewall-policy-delete', 'p1')).toMatch(/is being used/);
    expect(refused('router-delete', 'router1')).toMatch(/still has ports|in use by firewall/);
    ok('firewall-policy-remove-rule', 'p1', 'ping');
    expect(rules(lab()).map((r) => r.protocol)).toEqual(['tcp']);
    // Taken apart: nothing of FWaaS stays in the cloud.
    ok('firewall-delete', 'fw1');
    ok('firewall-policy-delete', 'p1');
    ok('firewall-rule-delete', 'ping');
    ok('firewall-rule-delete', 'r1');
    expect([lab().cloud.firewalls, lab().cloud.firewallPolicies, lab().cloud.firewallRules]).toEqual([{}, undefined, undefined]);
  });

  it('refuses bad input for every v1 verb as the client does: its exit code, its words, nothing changed', () => {
    const { ok, os, run, lab } = legacy();
    os('network', 'create', 'tenant');
    os('subnet', 'create', '--network', 'tenant', '--subnet-range', '10.0.0.0/24', 'private');
    os('server', 'create', '--image', 'cirros', '--flavor', 'm1.tiny', '--network', 'tenant', 'vm1');
    for (const r of ['r1', 'r2']) os('router', 'create', r);
    ok('lb-pool-create', '--name', 'web', '--lb-method', 'ROUND_ROBIN', '--protocol', 'HTTP', '--subnet-id', 'private');
    ok('lb-healthmonitor-create', '--delay', '1', '--type', 'PING', '--max-retries', '2', '--timeout', '1');
    ok('lb-healthmonitor-associate', 'monitor-1', 'web');
    ok('firewall-rule-create', '--name', 'ssh', '--protocol', 'tcp', '--destination-port', '22', '--action', 'allow');
    ok('firewall-policy-create', '--firewall-rules', 'ssh', 'p1');
    const vipCreate = ['lb-vip-create', '--name', 'v', '--protocol-port', '80', '--protocol', 'HTTP', '--subnet-id', 'private'];
    const cases: [string[], number, RegExp][] = [
      [
        ['lb-pool-create', '--name', 'x', '--lb-method', 'RANDOM', '--protocol', 'HTTP', '--subnet-id', 'private'],
        2,
        /invalid choice: 'RANDOM'/,
      ],
      [['lb-pool-create', '--name', 'x', '--lb-method', 'ROUND_ROBIN', '--protocol', 'HTTP'], 2, /required: --subnet-id/],
      [
        ['lb-pool-create', '--name', 'web', '--lb-method', 'ROUND_ROBIN', '--protocol', 'HTTP', '--subnet-id', 'private'],
        1,
        /web exists already/,
      ],
      [['lb-pool-show', 'nope'], 1, /^Unable to find pool with name or id 'nope'$/],
      [['lb-pool-delete', 'nope'], 1, /Unable to find pool/],
      [[...vipCreate, '--address', '10.0.0.3', 'web'], 1, /ConflictException: .*The IP address 10\.0\.0\.3 is in use/],
      [
        ['lb-vip-create', '--name', 'v', '--protocol-port', 'eighty', '--protocol', 'HTTP', '--subnet-id', 'private', 'web'],
        2,
        /invalid int value: 'eighty'/,
      ],
      [['lb-vip-delete', 'nope'], 1, /Unable to find vip/],
      [['lb-member-create', '--address', '10.0.0.3', 'web'], 2, /required: --protocol-port/],
      [['lb-member-delete', 'nope'], 1, /Unable to find member/],
      [['lb-healthmonitor-create', '--delay', '1', '--type', 'UDP', '--max-retries', '2', '--timeout', '1'], 2, /invalid choice: 'UDP'/],
      [
        ['lb-healthmonitor-create', '--delay', '1', '--type', 'PING', '--max-retries', '2', '--timeout', '1', '--url-path', '/'],
        1,
        /url_path is for HTTP monitors only/,
      ],
      [['lb-healthmonitor-associate', 'monitor-1', 'web'], 1, /ConflictException: Monitor .* is already associated with pool/],
      [['lb-healthmonitor-disassociate', 'monitor-9', 'web'], 1, /Unable to find health_monitor/],
      [['firewall-rule-create', '--protocol', 'tcp'], 2, /required: --action/],
      [
        ['firewall-rule-create', '--protocol', 'tcp', '--action', 'allow', '--destination-ip-address', '10.0.0'],
        1,
        /'10\.0\.0' is not a valid IP address or subnet/,
      ],
      [
        ['firewall-rule-create', '--protocol', 'tcp', '--action', 'allow', '--destination-port', '80:20'],
        1,
        /'80:20' is not a valid port or port range/,
      ],
      [['firewall-rule-show', 'nope'], 1, /Unable to find firewall_rule/],
      [['firewall-policy-create', '--firewall-rules', 'nope', 'p2'], 1, /Unable to find firewall_rule with name or id 'nope'/],
      [['firewall-policy-insert-rule', 'p1', 'ssh'], 1, /already associated with FirewallPolicy/],
      [['firewall-policy-remove-rule', 'p1', 'nope'], 1, /Unable to find firewall_rule/],
      [['firewall-create', 'p1'], 1, /give --router \(2 routers have no firewall\)/],
      [['firewall-create', '--router', 'r9', 'p1'], 1, /No Router found for r9/],
      [['firewall-create', '--router', 'r1', 'p9'], 1, /Unable to find firewall_policy/],
      [['firewall-delete', 'nope'], 1, /Unable to find firewall with name or id 'nope'/],
      // The old client's admin_state_up False: refused, as --disable is, not taken and ignored.
      [
        [
          'lb-pool-create',
          '--name',
          'x',
          '--lb-method',
          'ROUND_ROBIN',
          '--protocol',
          'HTTP',
          '--subnet-id',
          'private',
          '--admin-state-down',
        ],
        2,
        /argument --admin-state-down: this sandbox does not model a pool kept administratively down/,
      ],
      [[...vipCreate, '--admin-state-down', 'web'], 2, /does not model a vip kept administratively down/],
      [
        ['lb-member-create', '--address', '10.0.0.3', '--protocol-port', '80', '--admin-state-down', 'web'],
        2,
        /does not model a member kept/,
      ],
      [
        ['lb-healthmonitor-create', '--delay', '1', '--type', 'PING', '--max-retries', '2', '--timeout', '1', '--admin-state-down'],
        2,
        /does not model a health monitor kept/,
      ],
      [['firewall-create', '--router', 'r1', '--admin-state-down', 'p1'], 2, /does not model a firewall kept administratively down/],
      [['lb-frobnicate'], 2, /Unknown command \['lb-frobnicate'\]/],
    ];
    for (const [argv, code, said] of cases) {
      const before = JSON.stringify(lab().cloud);
      const result = run(...argv);
      expect({ argv, code: result.exitCode, stdout: result.stdout }).toEqual({ argv, code, stdout: '' });
      expect(result.stderr.trim()).toMatch(said);
      expect(JSON.stringify(lab().cloud)).toBe(before);
    }
    ok('firewall-create', '--router', 'r1', 'p1');
    const again = run('firewall-create', '--router', 'r1', '--name', 'fw2', 'p1');
    expect([again.exitCode, again.stderr]).toEqual([1, expect.stringMatching(/already associated with other Firewall\(s\)/)]);
  });
});
