import { expect, it } from 'vitest';
import { execArgv } from '../../../main/core/docker/exec';
import { requireNode } from '../../../main/core/session/sessions';
import { runCli, testEngine } from '../helpers';
import type { WalkBridgeLeg } from '../../../main/core/check/walk-types';
import { followTest, nothingLeft, place, tables, walked } from './follow';
import { labSuite } from './lab-suite';

labSuite('gre-tenant', {
  whenSolved: (lab) => {
    followTest(lab, 'a ping from vm1 to the DHCP port across the GRE tunnel', ['--from', 'vm1', '--to', '192.168.1.2'], ['compute1', 'network'], (result) => {
      expect(result).toMatchObject({ from: 'vm1', to: '192.168.1.2', proto: 'icmp', answered: true, watched: { nodes: 2 } });
      const request = result.hops.filter((hop) => hop.direction === 'request');
      // Out of the VM, through the hybrid bridge's veth pair, onto br-int: the VM's own packet.
      expect(request.slice(0, 5).map(place).sort()).toEqual(
        ['compute1 vm1 eth0', 'compute1 tap2a7d9c41-3b', 'compute1 qbr2a7d9c41-3b', 'compute1 qvb2a7d9c41-3b', 'compute1 qvo2a7d9c41-3b'].sort(),
      );
      // On the underlay of both nodes: wrapped in GRE with key 1, the inner ICMP untouched.
      const underlay = request.filter((hop) => hop.where.iface === 'eth1');
      expect(underlay.map(place)).toEqual(['compute1 eth1', 'network eth1']);
      for (const hop of underlay) {
        expect(hop.headers).toMatchObject({ tunnel: { kind: 'gre', id: '0x00000001', src: '10.0.0.101', dst: '10.0.0.100' }, src: '192.168.1.3', dst: '192.168.1.2', ttl: 64 });
      }
      expect(underlay[0]!.changes).toEqual(['wrapped in GRE, key 0x00000001 (10.0.0.101 → 10.0.0.100)']);
      // Unwrapped on the network node, into the DHCP namespace; the answer comes back the same way.
      expect(place(request.at(-1)!)).toMatch(/^network qdhcp-\S+ ns-4385f950-8b$/);
      expect(request.find((hop) => hop.where.iface === 'tap4385f950-8b')?.changes).toEqual(['GRE, key 0x00000001 header removed']);
      const reply = result.hops.filter((hop) => hop.direction === 'reply');
      expect(place(reply.at(-1)!)).toBe('compute1 vm1 eth0');
      expect(reply.filter((hop) => hop.where.iface === 'eth1').map((hop) => hop.headers.tunnel)).toEqual([
        { kind: 'gre', id: '0x00000001', src: '10.0.0.100', dst: '10.0.0.101' },
        { kind: 'gre', id: '0x00000001', src: '10.0.0.100', dst: '10.0.0.101' },
      ]);
    });

    it('walks vm1’s packet by the flows: br-int, br-tun’s tables, GRE key 1, the network node’s br-tun and br-int, the DHCP port', { timeout: 60_000 }, async () => {
      const walk = await walked(lab, ['--from', 'vm1', '--to', '192.168.1.2']);
      expect(walk.legs.map((leg) => (leg.kind === 'ovs' ? [leg.node, leg.bridge, leg.arrivedBy] : [leg.node, leg.kind]))).toEqual([
        ['compute1', 'br-int', undefined],
        ['network', 'br-tun', 'GRE key 0x1 from 10.0.0.101'],
      ]);
      const [out, back] = walk.legs as [WalkBridgeLeg, WalkBridgeLeg];
      // Unicast: br-tun table 1 sends it to 20, whose flow learned from the port's answers (the
      // follow above made some) sets key 1; had it learned nothing, 21 would flood it with key 1.
      const keyed = tables(out).find((line) => /^br-tun 2[01]: /.test(line) && /set_tunnel:0x1|load:0x1->NXM_NX_TUN_ID/.test(line));
      expect(keyed, tables(out).join('\n')).toBeDefined();
      expect(out.trace.tunnels).toEqual([{ type: 'gre', source: '10.0.0.101', destination: '10.0.0.100', tunnelId: '0x1' }]);
      expect(tables(back).slice(0, 2)).toEqual(['br-tun 0: resubmit(,2)', 'br-tun 2: mod_vlan_vid:1, resubmit(,10)']);
      expect(back.outputs).toContainEqual({ device: 'tap4385f950-8b' });
      expect(walk.verdict).toMatch(/^out of network by .*tap4385f950-8b/);
      // A VM it does not know, an address nothing answers for.
      const wrong = async (args: string[]) => {
        const result = await runCli(['walk', lab.name, ...args], { env: lab.env });
        expect(result.code, result.stdout).toBe(2);
        return result.stderr;
      };
      expect(await wrong(['--from', 'vm7', '--to', 'vm1'])).toContain('has no VM "vm7" to walk from.');
      expect(await wrong(['--from', 'vm1', '--to', '192.168.1.77'])).toContain('Nothing on tenant answers for 192.168.1.77.');
    });

    it('says what is wrong with a follow, and leaves nothing running', { timeout: 120_000 }, async () => {
      const wrong = async (args: string[]) => {
        const result = await runCli(['follow', lab.name, ...args], { env: lab.env });
        expect(result.code, result.stdout).toBe(2);
        return result.stderr;
      };
      expect(await wrong(['--from', 'vm9', '--to', '192.168.1.2'])).toMatch(/has no VM "vm9" to follow from\.\nhint: Its VMs: vm1 \(192\.168\.1\.3\)\./);
      expect(await wrong(['--from', 'vm1', '--to', 'router'])).toContain('has no VM "router" to follow to.');
      expect(await wrong(['--from', 'vm1', '--to', '192.168.1.2', '--proto', 'tcp'])).toContain('Following tcp needs a port, 1 to 65535 (got none).');
      expect(await wrong(['--from', 'vm1', '--to', '192.168.1.2', '--proto', 'tcp', '--port', '70000'])).toContain('--port takes a port number');
      // A VM without a route to the address: nothing leaves it, and it is said so.
      const vm = await requireNode(await testEngine(), lab.name, 'compute1');
      const route = (verb: string) => execArgv(vm, ['ip', '-n', 'vm1', 'route', verb, 'default', 'via', '192.168.1.1']);
      expect((await route('del')).exitCode).toBe(0);
      try {
        expect(await wrong(['--from', 'vm1', '--to', '10.99.0.1'])).toMatch(/vm1 has no route to 10\.99\.0\.1: "Network is unreachable"\.\nhint: Look at its routes/);
      } finally {
        expect((await route('add')).exitCode).toBe(0);
      }
      await nothingLeft(lab, ['compute1', 'network']);
    });
  },
});
