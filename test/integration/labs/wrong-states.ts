/**
 * A check that cannot fail is a defect. For every objective of every lab, one plausible thing a
 * learner could get wrong (a wrong VLAN mapping, a flow in the wrong table, a tunnel with the
 * wrong key, tenants that reach each other…): applied to the solved lab, it must make that
 * objective fail. lab-suite.ts runs them, each lab's in its own file.
 */

/** A command run on a node of the lab: the node's name, then the argv. */
export type Command = [node: string, ...argv: string[]];
const of = (bridge: string, ...args: string[]): string[] => ['ovs-ofctl', ...args.slice(0, -1), bridge, args.at(-1) as string];

const DHCP_DIR = '/var/lib/neutron/dhcp/88b1609c-68e0-49ca-a658-f1edff54a264';
const LB_DIR = '/var/lib/neutron/lbaas/574a31da-a28a-449f-8c9d-3d3687c3c02a';
const restartHaproxy: Command[] = [
  ['network', 'pkill', '-x', 'haproxy'],
  ['network', 'ip', 'netns', 'exec', 'qlbaas-574a31da-a28a-449f-8c9d-3d3687c3c02a', 'haproxy', '-f', `${LB_DIR}/conf`, '-p', `${LB_DIR}/pid`],
];
const inRouter = (...argv: string[]): string[] => ['ip', 'netns', 'exec', 'qrouter-40fff075-d3a2-477b-942c-6b1adb42e35e', ...argv];
const DVR_ROUTER = 'qrouter-5c2b7e4a-91d3-4f6e-8a0b-3d7c1e9f2a64';
const DVR_SNAT = 'snat-5c2b7e4a-91d3-4f6e-8a0b-3d7c1e9f2a64';
const DVR_FIP = 'fip-8b4d2c6e-3a1f-4e7b-9c5d-0f2e6a8b1c37';
const VLAN_ROUTER_A = 'qrouter-2c4e6a8b-1d3f-4a5b-9c7d-3e5f7a9b1c2d';
const VLAN_ROUTER_B = 'qrouter-3d5f7b9c-2e4a-4b6c-8d8e-4f6a8b0c2d3e';

const CUT_VM3 = 'table=0,priority=3,ip,nw_src=192.168.0.5,actions=drop';
/** A node whose easyOVS record holds only these actions: the learner ran something else. */
const easyOvsRecordOnly = (node: string, ...records: object[]): Command[] => [
  [node, 'rm', '-f', '/var/lib/neutron-lab/easyovs.jsonl'],
  ...records.map((record): Command => [node, 'nl-easyovs-log', JSON.stringify(record)]),
];

/** objective id → the commands that break it. Every objective of the lab must be listed. */
export const WRONG: Record<string, Record<string, Command[]>> = {
  mtu: {
    // vm1 sends to a MAC nobody has.
    'small-passes': [['compute1', 'ip', '-n', 'vm1', 'neigh', 'replace', '10.0.0.2', 'lladdr', '02:00:00:00:00:99', 'dev', 'eth0']],
    'ports-at-1500': [['compute1', 'ip', 'link', 'set', 'tapc4493802-43', 'mtu', '1450']],
    'option-26': [['network', 'sed', '-i', '/option:mtu/d', '/var/lib/neutron/dhcp/5b2d9e31-7c4a-4f1e-8a6b-2d3c4e5f6a71/opts']],
    // No option 26 any more, and vm1 back at 1500: its next lease leaves it there.
    'vm-takes-1450': [
      ['network', 'sed', '-i', '/option:mtu/d', '/var/lib/neutron/dhcp/5b2d9e31-7c4a-4f1e-8a6b-2d3c4e5f6a71/opts'],
      ['network', 'pkill', '-HUP', '-x', 'dnsmasq'],
      ['compute1', 'ip', '-n', 'vm1', 'link', 'set', 'eth0', 'mtu', '1500'],
    ],
    // An underlay that carries less: 1450 and VXLAN's 50 no longer fit.
    'full-size-fits': [['compute1', 'ip', 'link', 'set', 'eth1', 'mtu', '1400']],
  },
  // The fault repaired, another way to lose vm1: a local VLAN no tunnel carries.
  'troubleshoot-l2': {
    'reaches-dhcp': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo2a7d9c41-3b', 'tag=3']],
  },
  // The fault repaired, another way to lose vm2's way out: its default route gone.
  'troubleshoot-l3': {
    'tenant-works': [['compute1', 'ip', '-n', 'vm2', 'route', 'del', 'default']],
  },
  // The fault repaired, a detour left in place: everything accepted ahead of the firewall, so the outside's SSH is no longer dropped.
  'troubleshoot-firewall': {
    'policy-works': [['network', ...inRouter('iptables', '-w', '-I', 'neutron-vpn-agen-FORWARD', '1', '-j', 'ACCEPT')]],
  },
  // The fault repaired, another rule that drops what is allowed: vm2's web server silenced by its own chain.
  'troubleshoot-security': {
    'allowed-works': [['compute2', 'iptables', '-I', 'neutron-openvswi-i7be4c6a0-5', '1', '-p', 'tcp', '--dport', '80', '-j', 'DROP']],
  },
  'gre-tenant': {
    'network-node-tables': [['network', ...of('br-tun', 'mod-flows', 'table=21,dl_vlan=1,actions=strip_vlan,set_tunnel:0x2,output:gre-2')]],
    'gre-port': [['compute1', 'ovs-vsctl', 'set', 'interface', 'gre-1', 'options:out_key=0x2']],
    'vm-on-vlan-1': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo2a7d9c41-3b', 'tag=2']],
    'table-0': [['compute1', ...of('br-tun', 'mod-flows', 'table=0,in_port=gre-1,actions=resubmit(,3)')]],
    'table-1': [['compute1', ...of('br-tun', 'mod-flows', 'table=1,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=resubmit(,20)')]],
    'table-2': [['compute1', ...of('br-tun', 'mod-flows', 'table=2,tun_id=0x1,actions=mod_vlan_vid:2,resubmit(,10)')]],
    'table-10': [['compute1', ...of('br-tun', 'mod-flows', 'table=10,actions=output:patch-int')]],
    // The flood flow in the wrong table.
    'table-21': [
      ['compute1', ...of('br-tun', '--strict', 'del-flows', 'table=21,priority=1,dl_vlan=1')],
      ['compute1', ...of('br-tun', 'add-flow', 'table=22,priority=1,dl_vlan=1,actions=strip_vlan,set_tunnel:0x1,output:gre-1')],
    ],
    'tables-20-defaults': [['compute1', ...of('br-tun', '--strict', 'del-flows', 'table=20,priority=0')]],
    // A tunnel with the wrong key: nothing learned, nothing cached, so ARP must cross it.
    'cross-node-ping': [
      ['compute1', ...of('br-tun', 'mod-flows', 'table=21,dl_vlan=1,actions=strip_vlan,set_tunnel:0x2,output:gre-1')],
      ['compute1', ...of('br-tun', 'del-flows', 'table=20,dl_dst=fa:16:3e:32:0d:db')],
      ['compute1', 'ip', '-n', 'vm1', 'neigh', 'flush', 'all'],
      // The DHCP port forgets vm1 too: else its kernel, having just answered, probes vm1 by
      // unicast through the learned (right-keyed) flow, and vm1's ARP cache fills again.
      ['network', 'ip', '-all', 'netns', 'exec', 'ip', 'neigh', 'flush', 'all'],
    ],
    'learned-flow': [
      ['compute1', ...of('br-tun', 'mod-flows', 'table=10,actions=output:patch-int')],
      ['compute1', ...of('br-tun', 'del-flows', 'table=20,dl_dst=fa:16:3e:32:0d:db')],
    ],
    'flood-counter': [['compute1', ...of('br-tun', 'mod-flows', 'table=1,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop')]],
  },
  'vxlan-tenant': {
    'br-int-secure': [['compute1', 'ovs-vsctl', 'set', 'bridge', 'br-int', 'fail_mode=standalone']],
    'vms-on-vlan-1': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvof47c62b0-db', 'tag=2']],
    'network-node-flood': [['network', ...of('br-tun', 'mod-flows', 'table=22,dl_vlan=1,actions=strip_vlan,set_tunnel:0x3ea,output:vxlan-0a006458')]],
    'br-tun-secure': [['compute1', 'ovs-vsctl', 'del-fail-mode', 'br-tun']],
    'patch-ports': [['compute1', 'ovs-vsctl', 'set', 'interface', 'patch-int', 'options:peer=patch-ex']],
    'vxlan-port': [['compute1', 'ovs-vsctl', 'set', 'interface', 'vxlan-0a00644d', 'options:remote_ip=10.0.100.78']],
    'table-0': [['compute1', ...of('br-tun', 'mod-flows', 'table=0,in_port=vxlan-0a00644d,actions=resubmit(,3)')]],
    // Icehouse's table numbers in a Juno bridge.
    'table-2': [['compute1', ...of('br-tun', 'mod-flows', 'table=2,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=resubmit(,21)')]],
    'table-4': [['compute1', ...of('br-tun', 'mod-flows', 'table=4,tun_id=0x3e9,actions=mod_vlan_vid:2,resubmit(,10)')]],
    'table-10': [['compute1', ...of('br-tun', 'mod-flows', 'table=10,actions=output:patch-int')]],
    'table-22': [['compute1', ...of('br-tun', 'mod-flows', 'table=22,dl_vlan=1,actions=strip_vlan,set_tunnel:0x3e8,output:vxlan-0a00644d')]],
    'table-defaults': [['compute1', ...of('br-tun', '--strict', 'mod-flows', 'table=20,priority=0,actions=resubmit(,21)')]],
    'cross-node-ping': [
      ['compute1', ...of('br-tun', 'mod-flows', 'table=22,dl_vlan=1,actions=strip_vlan,set_tunnel:0x3e8,output:vxlan-0a00644d')],
      ['compute1', ...of('br-tun', 'del-flows', 'table=20,dl_dst=fa:16:3e:83:95:fa')],
      ['compute1', 'ip', '-n', 'vm1', 'neigh', 'flush', 'all'],
      // The DHCP port forgets vm1 too: else its kernel, having just answered, probes vm1 by
      // unicast through the learned (right-keyed) flow, and vm1's ARP cache fills again.
      ['network', 'ip', '-all', 'netns', 'exec', 'ip', 'neigh', 'flush', 'all'],
    ],
    // A tunnel with the wrong key: the traced frame floods out with VNI 0x3e8.
    'trace-to-vxlan': [
      ['compute1', ...of('br-tun', 'mod-flows', 'table=22,dl_vlan=1,actions=strip_vlan,set_tunnel:0x3e8,output:vxlan-0a00644d')],
      ['compute1', ...of('br-tun', 'mod-flows', 'table=10,actions=output:patch-int')],
      ['compute1', ...of('br-tun', 'del-flows', 'table=20,dl_dst=fa:16:3e:83:95:fa')],
    ],
    'learned-flow': [
      ['compute1', ...of('br-tun', 'mod-flows', 'table=10,actions=output:patch-int')],
      ['compute1', ...of('br-tun', 'del-flows', 'table=20,dl_dst=fa:16:3e:83:95:fa')],
    ],
  },
  'vlan-provider': {
    'local-tags': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo2d9b4e3a-7c', 'tag=1']],
    'bridges-linked': [['compute1', 'ovs-vsctl', 'del-port', 'br-int', 'int-br-eth1']],
    'drops-until-bound': [['compute1', ...of('br-int', '--strict', 'del-flows', 'table=0,priority=2,in_port=int-br-eth1')]],
    // Tenant B sent out as tenant A's VLAN.
    'br-eth1-translation': [['compute1', ...of('br-eth1', '--strict', 'mod-flows', 'table=0,priority=4,in_port=phy-br-eth1,dl_vlan=2,actions=mod_vlan_vid:101,NORMAL')]],
    'br-int-translation': [['compute1', ...of('br-int', '--strict', 'mod-flows', 'table=0,priority=3,in_port=int-br-eth1,dl_vlan=102,actions=mod_vlan_vid:1,NORMAL')]],
    'compute2-translation': [['compute2', ...of('br-int', '--strict', 'mod-flows', 'table=0,priority=3,in_port=int-br-eth1,dl_vlan=101,actions=mod_vlan_vid:2,NORMAL')]],
    'tenant-a-talks': [['compute2', ...of('br-int', '--strict', 'del-flows', 'table=0,priority=3,in_port=int-br-eth1,dl_vlan=101')]],
    'tenant-b-talks': [['compute2', ...of('br-eth1', '--strict', 'mod-flows', 'table=0,priority=4,in_port=phy-br-eth1,dl_vlan=2,actions=mod_vlan_vid:101,NORMAL')]],
    // Tenants that can reach each other: vm3 plugged into tenant A's local VLAN.
    'tenants-apart': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo2d9b4e3a-7c', 'tag=1']],
    'vlan-101-on-the-wire': [['compute1', ...of('br-eth1', '--strict', 'mod-flows', 'table=0,priority=4,in_port=phy-br-eth1,dl_vlan=1,actions=mod_vlan_vid:103,NORMAL')]],
  },
  'flat-provider': {
    'local-tag': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo4e1a7c2b-9d', 'tag=2']],
    'bridges-linked': [['compute1', 'ovs-vsctl', 'del-port', 'br-int', 'int-br-eth1']],
    // The network node sends the flat network out as if it were VLAN 101.
    'network-node-bound': [['network', ...of('br-eth1', '--strict', 'mod-flows', 'table=0,priority=4,in_port=phy-br-eth1,dl_vlan=1,actions=mod_vlan_vid:101,NORMAL')]],
    'strip-out': [['compute1', ...of('br-eth1', '--strict', 'mod-flows', 'table=0,priority=4,in_port=phy-br-eth1,dl_vlan=1,actions=mod_vlan_vid:101,NORMAL')]],
    // br-int's flat flows are broken by taking its end of the veth pair, not by editing them: the
    // agent's dl_vlan=0xffff is an exact match on the whole TCI, which the OpenFlow 1.3 round
    // trip that puts flow tables back (put-back.ts) cannot express (it comes back as 0/0x1fff,
    // a second flow beside the first).
    'tag-in': [['compute1', 'ovs-vsctl', 'del-port', 'br-int', 'int-br-eth1']],
    'compute2-bound': [['compute2', 'ovs-vsctl', 'del-port', 'br-int', 'int-br-eth1']],
    // (The suite purges the datapath's cached flows after every wrong state: the one through the
    // deleted patch port must not carry the check's ping.)
    'vms-talk': [['compute2', 'ovs-vsctl', 'del-port', 'br-int', 'int-br-eth1']],
    // Tagged on the wire: compute2 takes no tagged frame for the flat network, and tcpdump's icmp sees none untagged.
    'untagged-on-the-wire': [['compute1', ...of('br-eth1', '--strict', 'mod-flows', 'table=0,priority=4,in_port=phy-br-eth1,dl_vlan=1,actions=mod_vlan_vid:101,NORMAL')]],
  },
  'dhcp-router': {
    'vm-wired': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo8c2e4a6f-1b', 'tag=2']],
    'tunnel-up': [['network', 'ovs-vsctl', 'set', 'interface', 'vxlan-0a006458', 'options:remote_ip=10.0.100.99']],
    // The DHCP port on another network's local VLAN.
    'qdhcp-namespace': [['network', 'ovs-vsctl', 'set', 'port', 'tapf14c598d-98', 'tag=2']],
    'dnsmasq-running': [['network', 'pkill', '-x', 'dnsmasq']],
    // A hosts file that does not know vm1's MAC: no offer.
    'vm-leases': [['network', 'truncate', '-s', '0', `${DHCP_DIR}/host`], ['network', 'pkill', '-HUP', '-x', 'dnsmasq']],
    'router-ports': [['network', ...inRouter('ip', 'addr', 'del', '9.186.100.2/24', 'dev', 'qg-e76de35e-90')]],
    'default-route': [['network', ...inRouter('ip', 'route', 'del', 'default')]],
    // SNAT to an address that is not the router's.
    'snat-rule': [['network', ...inRouter('iptables', '-w', '-t', 'nat', '-R', 'neutron-vpn-agen-snat', '2', '-s', '10.0.0.0/24', '-j', 'SNAT', '--to-source', '9.186.100.3')]],
    'outside-sees-router': [['network', ...inRouter('iptables', '-w', '-t', 'nat', '-R', 'neutron-vpn-agen-snat', '2', '-s', '10.0.0.0/24', '-j', 'SNAT', '--to-source', '9.186.100.3')]],
    // The floating IP sent to the wrong VM address.
    'fip-rules': [['network', ...inRouter('iptables', '-w', '-t', 'nat', '-R', 'neutron-vpn-agen-PREROUTING', '2', '-d', '9.186.100.129/32', '-j', 'DNAT', '--to-destination', '10.0.0.9')]],
    'fip-address': [['network', ...inRouter('ip', 'addr', 'del', '9.186.100.129/32', 'dev', 'qg-e76de35e-90')]],
    'outside-reaches-vm': [['network', ...inRouter('iptables', '-w', '-t', 'nat', '-R', 'neutron-vpn-agen-PREROUTING', '2', '-d', '9.186.100.129/32', '-j', 'DNAT', '--to-destination', '10.0.0.9')]],
    // No float-snat rule: vm1 leaves as the router's address.
    'vm1-leaves-as-fip': [['network', ...inRouter('iptables', '-w', '-t', 'nat', '-F', 'neutron-vpn-agen-float-snat')]],
  },
  'security-groups': {
    'hybrid-wiring': [['compute1', 'ip', 'link', 'set', 'tap583c7038-d3', 'nomaster']],
    'vm1-leased': [['compute1', 'ip', '-n', 'vm1', 'addr', 'flush', 'dev', 'eth0'], ['compute1', 'ip', '-n', 'vm1', 'addr', 'add', '192.168.0.22/24', 'dev', 'eth0']],
    'one-network': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo3f9a2c71-e8', 'tag=2']],
    // Both directions sent to the o chain.
    'chains-hooked': [['compute1', 'iptables', '-w', '-R', 'neutron-openvswi-sg-chain', '1', '-m', 'physdev', '--physdev-out', 'tap583c7038-d3', '--physdev-is-bridged', '-j', 'neutron-openvswi-o583c7038-d']],
    // A typo in the s chain's MAC: the ping is counted on the way in, its reply dies on the way out.
    'icmp-allowed': [['compute1', 'iptables', '-w', '-R', 'neutron-openvswi-s583c7038-d', '1', '-s', '192.168.0.2/32', '-m', 'mac', '--mac-source', 'fa:16:3e:9c:dc:3b', '-j', 'RETURN']],
    'ssh-allowed': [['compute1', 'iptables', '-w', '-D', 'neutron-openvswi-i583c7038-d', '-p', 'tcp', '-m', 'tcp', '--dport', '22', '-j', 'RETURN']],
    // All of TCP let in.
    'others-dropped': [['compute1', 'iptables', '-w', '-I', 'neutron-openvswi-i583c7038-d', '3', '-p', 'tcp', '-j', 'RETURN']],
    // No rule for the DHCP server's answer: it falls to sg-fallback.
    'dhcp-through': [['compute1', 'iptables', '-w', '-D', 'neutron-openvswi-i583c7038-d', '-s', '192.168.0.3/32', '-p', 'udp', '-m', 'udp', '--sport', '67', '--dport', '68', '-j', 'RETURN']],
    // Checking the MAC but not the address.
    'spoof-dropped': [['compute1', 'iptables', '-w', '-R', 'neutron-openvswi-s583c7038-d', '1', '-m', 'mac', '--mac-source', 'fa:16:3e:9c:dc:3a', '-j', 'RETURN']],
    // The rule for the wrong member.
    'web-rule': [['compute2', 'iptables', '-w', '-R', 'neutron-openvswi-i7be4c6a0-5', '3', '-s', '192.168.0.5/32', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'RETURN']],
    // vm1's own egress rule missing: its request never leaves compute1.
    'web-from-member': [['compute1', 'iptables', '-w', '-D', 'neutron-openvswi-o583c7038-d', '-j', 'RETURN']],
    // The whole subnet let in instead of the group's members.
    'web-not-from-others': [['compute2', 'iptables', '-w', '-R', 'neutron-openvswi-i7be4c6a0-5', '3', '-s', '192.168.0.0/24', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'RETURN']],
  },
  fwaas: {
    'router-up': [['network', ...inRouter('ip', 'route', 'del', 'default')]],
    'fip-dnat': [['network', ...inRouter('iptables', '-w', '-t', 'nat', '-R', 'neutron-vpn-agen-PREROUTING', '2', '-d', '9.186.100.129/32', '-j', 'DNAT', '--to-destination', '10.0.0.4')]],
    'same-subnet': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo9d3f5b7a-2c', 'tag=2']],
    // The chains swapped: what leaves by qr- goes to the egress chain.
    'chains-hooked': [['network', ...inRouter('iptables', '-w', '-R', 'neutron-vpn-agen-FORWARD', '1', '-o', 'qr-+', '-j', 'neutron-vpn-agen-ov4d8ed9898')]],
    // The rule written for the external network instead of the tenant subnet.
    'ssh-allowed': [['network', ...inRouter('iptables', '-w', '-R', 'neutron-vpn-agen-iv4d8ed9898', '3', '-d', '9.186.100.0/24', '-p', 'tcp', '-m', 'tcp', '--sport', '1:65535', '--dport', '22', '-j', 'ACCEPT')]],
    // Any TCP let in.
    'web-dropped': [['network', ...inRouter('iptables', '-w', '-R', 'neutron-vpn-agen-iv4d8ed9898', '3', '-d', '10.0.0.0/24', '-p', 'tcp', '-j', 'ACCEPT')]],
    // The default policy only for one direction.
    'both-ways': [['network', ...inRouter('iptables', '-w', '-D', 'neutron-vpn-agen-FORWARD', '-i', 'qr-+', '-j', 'neutron-vpn-agen-fwaas-defau')]],
  },
  lbaas: {
    'members-serve': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo8c2e4a6f-1b', 'tag=2']],
    // The VIP on another network's local VLAN.
    'vip-port': [['network', 'ovs-vsctl', 'set', 'port', 'tapfb358342-59', 'tag=2']],
    'haproxy-running': [['network', 'pkill', '-x', 'haproxy']],
    // A backend that lists only vm1.
    balanced: [['network', 'sed', '-i', '/10.0.0.4:22/d', `${LB_DIR}/conf`], ...restartHaproxy],
    // No haproxy: nothing opens connections from the VIP.
    proxied: [['network', 'pkill', '-x', 'haproxy']],
    // The monitor never associated: no health checks, so vm2 is never marked DOWN.
    failover: [['network', 'sed', '-i', '-e', 's/ check inter 1s fall 2//', '-e', '/timeout check/d', `${LB_DIR}/conf`], ...restartHaproxy],
  },
  dvr: {
    // compute2's copy of the router with its own MAC on red: no longer the same router.
    'twin-routers': [['compute2', 'ip', '-n', DVR_ROUTER, 'link', 'set', 'qr-3e9a93eb-cc', 'address', 'fa:16:3e:aa:00:99']],
    // A stale entry for vm2.
    'static-arp': [['compute1', 'ip', '-n', DVR_ROUTER, 'neigh', 'replace', '10.0.1.3', 'lladdr', 'fa:16:3e:22:00:99', 'dev', 'qr-0c292af5-99', 'nud', 'permanent']],
    'dvr-macs-known': [['compute2', ...of('br-int', '--strict', 'del-flows', 'table=0,priority=2,in_port=patch-tun,dl_src=fa:16:3f:00:00:11')]],
    // The gateway's ARP matched by sender, not target: requests for 10.0.0.1 still leave.
    'gateway-stays-home': [
      ['compute1', ...of('br-tun', '--strict', 'del-flows', 'table=1,priority=3,arp,dl_vlan=1,arp_tpa=10.0.0.1')],
      ['compute1', ...of('br-tun', 'add-flow', 'table=1,priority=3,arp,dl_vlan=1,arp_spa=10.0.0.1,actions=drop')],
    ],
    // The other host's DVR MAC.
    'dvr-mac-out': [['compute1', ...of('br-tun', 'mod-flows', 'table=1,dl_vlan=2,dl_src=fa:16:3e:bb:00:01,actions=mod_dl_src:fa:16:3f:00:00:12,resubmit(,2)')]],
    // Delivered without the gateway's MAC given back.
    'gateway-mac-back': [['compute2', ...of('br-int', 'mod-flows', 'table=1,dl_vlan=2,dl_dst=fa:16:3e:22:00:03,actions=strip_vlan,output:qvo0af027cd-52')]],
    // No l2population entry for vm2: the ping still arrives, flooded, and the network node sees it.
    'east-west-path': [['compute1', ...of('br-tun', '--strict', 'del-flows', 'table=20,priority=2,dl_vlan=2,dl_dst=fa:16:3e:22:00:03')]],
    // Routed frames leave with the gateway's own MAC.
    'dvr-mac-on-the-wire': [['compute1', ...of('br-tun', '--strict', 'del-flows', 'table=1,priority=1,dl_vlan=2,dl_src=fa:16:3e:bb:00:01')]],
    // The pair's addresses swapped.
    'fip-link': [
      ['compute1', 'ip', '-n', DVR_ROUTER, 'addr', 'flush', 'dev', 'rfp-5c2b7e4a-9'],
      ['compute1', 'ip', '-n', DVR_ROUTER, 'addr', 'add', '169.254.31.29/31', 'dev', 'rfp-5c2b7e4a-9'],
      ['compute1', 'ip', '-n', DVR_FIP, 'addr', 'flush', 'dev', 'fpr-5c2b7e4a-9'],
      ['compute1', 'ip', '-n', DVR_FIP, 'addr', 'add', '169.254.31.28/31', 'dev', 'fpr-5c2b7e4a-9'],
    ],
    // The rule for the whole subnet instead of vm1.
    'policy-route': [
      ['compute1', 'ip', '-n', DVR_ROUTER, 'rule', 'del', 'priority', '32768'],
      ['compute1', 'ip', '-n', DVR_ROUTER, 'rule', 'add', 'from', '10.0.0.0/24', 'table', '16', 'priority', '32768'],
    ],
    // fg- without proxy ARP, and the outside forgets what it had learned.
    'fip-from-compute': [
      ['compute1', 'nl-sysctl', DVR_FIP, 'net.ipv4.conf.fg-b198885d-c2.proxy_arp=0'],
      ['outside', 'ip', 'neigh', 'flush', 'all'],
    ],
    'fip-out': [['compute1', 'ip', 'netns', 'exec', DVR_ROUTER, 'iptables', '-w', '-t', 'nat', '-D', 'neutron-l3-agent-float-snat', '-s', '10.0.0.3/32', '-j', 'SNAT', '--to-source', '9.186.100.129']],
    'snat-redirect': [['compute2', 'ip', '-n', DVR_ROUTER, 'route', 'replace', 'default', 'via', '10.0.1.9', 'dev', 'qr-0c292af5-99', 'table', '167772417']],
    'snat-namespace': [
      ['network', 'ip', '-n', DVR_SNAT, 'addr', 'flush', 'dev', 'sg-65f5fe10-13'],
      ['network', 'ip', '-n', DVR_SNAT, 'addr', 'add', '10.0.1.20/24', 'dev', 'sg-65f5fe10-13'],
    ],
    // SNAT to an address that is not the router's.
    'snat-out': [['network', 'ip', 'netns', 'exec', DVR_SNAT, 'iptables', '-w', '-t', 'nat', '-R', 'neutron-l3-agent-snat', '3', '-s', '10.0.1.0/24', '-j', 'SNAT', '--to-source', '9.186.100.3']],
  },
  'arp-responder': {
    // No l2population entry for vm2: unicast to it is learned again, not announced.
    'unicast-entry': [['compute1', ...of('br-tun', '--strict', 'del-flows', 'table=20,priority=2,dl_vlan=1,dl_dst=fa:16:3e:22:00:04')]],
    // ARP broadcasts sent straight to the flood table.
    'arp-to-21': [['compute1', ...of('br-tun', 'mod-flows', 'table=2,arp,dl_dst=ff:ff:ff:ff:ff:ff,actions=resubmit(,22)')]],
    // The answer names the wrong MAC.
    'answer-for-vm2': [
      [
        'compute1',
        ...of(
          'br-tun',
          'mod-flows',
          'table=21,arp,dl_vlan=1,arp_tpa=10.0.0.4,actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:fa:16:3e:22:00:99,load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:0xfa163e220099->NXM_NX_ARP_SHA[],load:0xa000004->NXM_OF_ARP_SPA[],IN_PORT',
        ),
      ],
    ],
    // No entry for vm2: the request floods to compute2, and vm2 answers itself.
    'answered-at-home': [['compute1', ...of('br-tun', '--strict', 'del-flows', 'table=21,priority=1,arp,dl_vlan=1,arp_tpa=10.0.0.4')]],
    // What table 21 does not know is dropped, not flooded.
    'unknown-floods': [['compute1', ...of('br-tun', 'mod-flows', 'table=21,priority=0,actions=drop')]],
  },
  // In this order: the last three leave what solve cannot mend (a wrong process running, Nova stopped).
  metadata: {
    'redirect-rule': [
      ['network', ...inRouter('iptables', '-w', '-t', 'nat', '-D', 'neutron-vpn-agen-PREROUTING', '-d', '169.254.169.254/32', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '-j', 'REDIRECT', '--to-ports', '9697')],
    ],
    'proxy-running': [['network', 'pkill', '-x', 'neutron-ns-meta']],
    // vm2 without its default route: its request never reaches the router.
    'vm2-own': [['compute1', 'ip', '-n', 'vm2', 'route', 'del', 'default']],
    'agent-running': [['network', 'pkill', '-x', 'neutron-metadat']],
    // The proxy started on the wrong port: the REDIRECT to 9697 finds nobody (its own pid file: solve starts the right one).
    'proxy-answers': [
      ['network', 'pkill', '-x', 'neutron-ns-meta'],
      ['network', ...inRouter('neutron-ns-metadata-proxy', '--pid_file=/run/wrong-proxy.pid', '--router_id=40fff075-d3a2-477b-942c-6b1adb42e35e', '--metadata_port=9698')],
    ],
    // The agent signing with another secret than Nova's: Nova answers 403.
    'instance-id': [
      ['network', 'pkill', '-x', 'neutron-metadat'],
      ['network', 'neutron-metadata-agent', '--config-file=/etc/neutron/metadata_agent.ini', '--metadata_proxy_shared_secret=not-novas', '--pid_file=/run/wrong-agent.pid'],
    ],
    // A boot part: only a reset brings Nova back, so last.
    'nova-serving': [['controller', 'pkill', '-x', 'nova-api-metada']],
  },
  'vlan-router': {
    // Tenant B's VLAN lands on tenant A's local VLAN.
    'vlans-in': [['network', ...of('br-int', 'mod-flows', 'table=0,in_port=int-br-eth1,dl_vlan=102,actions=mod_vlan_vid:1,NORMAL')]],
    'dhcp-ports': [['network', 'ovs-vsctl', 'set', 'port', 'tapd7bf34eb-4d', 'tag=1']],
    // Router B's port on tenant A's VLAN.
    'qr-ports': [['network', 'ovs-vsctl', 'set', 'port', 'qr-ae5c7a9f-1b', 'tag=1']],
    'qg-ports': [
      ['network', 'ip', '-n', VLAN_ROUTER_B, 'addr', 'flush', 'dev', 'qg-bf6d8b0a-2c'],
      ['network', 'ip', '-n', VLAN_ROUTER_B, 'addr', 'add', '9.186.100.33/24', 'dev', 'qg-bf6d8b0a-2c'],
    ],
    // Each router SNATs its tenant to the other router's address: the answers go to the wrong router.
    'out-as-a': [
      ['network', 'ip', 'netns', 'exec', VLAN_ROUTER_A, 'iptables', '-w', '-t', 'nat', '-I', 'POSTROUTING', '-s', '10.0.1.0/24', '-j', 'SNAT', '--to-source', '9.186.100.3'],
    ],
    'out-as-b': [
      ['network', 'ip', 'netns', 'exec', VLAN_ROUTER_B, 'iptables', '-w', '-t', 'nat', '-I', 'POSTROUTING', '-s', '10.0.2.0/24', '-j', 'SNAT', '--to-source', '9.186.100.2'],
    ],
    // The routers told about each other's subnets over br-ex: the tenants meet.
    'tenants-apart': [
      ['network', 'ip', '-n', VLAN_ROUTER_A, 'route', 'replace', '10.0.2.0/24', 'via', '9.186.100.3'],
      ['network', 'ip', '-n', VLAN_ROUTER_B, 'route', 'replace', '10.0.1.0/24', 'via', '9.186.100.2'],
    ],
  },
  'dvr-local': {
    // vm2 given an address of red: no longer on the other subnet.
    'one-host': [
      ['compute1', 'ip', '-n', 'vm2', 'addr', 'flush', 'dev', 'eth0'],
      ['compute1', 'ip', '-n', 'vm2', 'addr', 'add', '10.0.0.30/24', 'dev', 'eth0'],
    ],
    'twin-on-compute2': [
      ['compute2', 'ip', '-n', DVR_ROUTER, 'addr', 'flush', 'dev', 'qr-0c292af5-99'],
      ['compute2', 'ip', '-n', DVR_ROUTER, 'addr', 'add', '10.0.1.254/24', 'dev', 'qr-0c292af5-99'],
    ],
    'gateways-here': [
      ['compute1', 'ip', '-n', DVR_ROUTER, 'addr', 'flush', 'dev', 'qr-0c292af5-99'],
      ['compute1', 'ip', '-n', DVR_ROUTER, 'addr', 'add', '10.0.1.254/24', 'dev', 'qr-0c292af5-99'],
    ],
    'neighbour-known': [
      ['compute1', 'ip', '-n', DVR_ROUTER, 'neigh', 'replace', '10.0.1.3', 'lladdr', 'fa:16:3e:22:00:99', 'dev', 'qr-0c292af5-99', 'nud', 'permanent'],
    ],
    // The router masquerades between its own subnets: vm2 sees the gateway, not vm1.
    'routed-once': [
      ['compute1', 'ip', 'netns', 'exec', DVR_ROUTER, 'iptables', '-w', '-t', 'nat', '-I', 'POSTROUTING', '-o', 'qr-0c292af5-99', '-j', 'SNAT', '--to-source', '10.0.1.1'],
    ],
    // A stale entry, as after vm2 moved hosts: the router sends vm2's packets to vm3's MAC, off to compute2.
    'stays-home': [
      ['compute1', 'ip', '-n', DVR_ROUTER, 'neigh', 'replace', '10.0.1.3', 'lladdr', 'fa:16:3e:22:00:04', 'dev', 'qr-0c292af5-99', 'nud', 'permanent'],
    ],
    // vm2's port on the wrong local VLAN: the flows deliver the routed frame nowhere.
    'walk-home': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo0af027cd-52', 'tag=7']],
    // Routed frames leave compute1 with the gateway's own MAC.
    'across-hosts': [['compute1', ...of('br-tun', '--strict', 'del-flows', 'table=1,priority=1,dl_vlan=2,dl_src=fa:16:3e:bb:00:01')]],
  },
  'backend-compare': {
    'ovs-hybrid': [['compute1', 'ip', 'link', 'set', 'tap967bc99e-21', 'nomaster']],
    // ovs2 on another network's local VLAN: no round trip.
    'ovs-rtt': [['compute2', 'ovs-vsctl', 'set', 'port', 'qvoa2a34035-17', 'tag=3']],
    // ovs3's group without its TCP rule: iperf3 cannot connect.
    'ovs-throughput': [['compute1', 'iptables', '-w', '-D', 'neutron-openvswi-i0b3c7d27-f', '-p', 'tcp', '-j', 'RETURN']],
    brq: [['compute2', 'ip', 'link', 'set', 'vxlan-101', 'nomaster']],
    'lb-tap': [['compute1', 'ip', 'link', 'set', 'tap3bd205d9-f0', 'nomaster']],
    // compute2's VXLAN device on the wrong VNI.
    'lb-rtt': [
      ['compute2', 'ip', 'link', 'del', 'vxlan-101'],
      ['compute2', 'ip', 'link', 'add', 'vxlan-101', 'type', 'vxlan', 'id', '102', 'group', '224.0.0.1', 'dev', 'eth2', 'local', '10.0.200.12', 'dstport', '8472'],
      ['compute2', 'ip', 'link', 'set', 'vxlan-101', 'master', 'brqe0043840-0b', 'up'],
      ['compute1', 'ip', '-n', 'lb1', 'neigh', 'flush', 'all'],
    ],
    'lb-throughput': [['compute1', 'iptables', '-w', '-D', 'neutron-linuxbri-i1983bd8a-a', '-p', 'tcp', '-j', 'RETURN']],
    'bare-tap': [['compute1', 'ovs-vsctl', 'set', 'port', 'tap754772ff-43', 'tag=1']],
    'bare-rtt': [['compute2', 'ovs-vsctl', 'set', 'port', 'tapb5e68c90-45', 'tag=1']],
    'bare-throughput': [['compute1', 'ip', 'link', 'set', 'tapb3e2d425-46', 'down']],
  },
  'ovs-basics': {
    'br-int': [['compute1', 'ovs-vsctl', 'set', 'bridge', 'br-int', 'datapath_type=system']],
    'normal-switch': [['compute1', 'ovs-ofctl', 'del-flows', 'br-int']],
    'vm1-namespace': [['compute1', 'ip', '-n', 'vm1', 'addr', 'flush', 'dev', 'eth0'], ['compute1', 'ip', '-n', 'vm1', 'addr', 'add', '10.0.0.11/16', 'dev', 'eth0']],
    'vm1-qbr': [['compute1', 'ip', 'link', 'set', 'qvb4f3a2b1c-0d', 'nomaster']],
    'vm1-qvo': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo4f3a2b1c-0d', 'tag=2']],
    'vm2-qvo': [['compute1', 'ovs-vsctl', 'remove', 'port', 'qvo5a4b3c2d-1e', 'tag', '1']],
    'same-tag-ping': [['compute1', 'ip', 'link', 'set', 'qvo5a4b3c2d-1e', 'down']],
    'vm3-qvo': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo6b5c4d3e-2f', 'tag=1']],
    'vm3-answers-its-own': [['compute1', 'ip', '-n', 'vm3', 'link', 'set', 'lo', 'down']],
    'tags-isolate': [['compute1', 'ovs-vsctl', 'set', 'port', 'qvo6b5c4d3e-2f', 'tag=1']],
    // A port the book's listing does not have.
    'show-shape': [['compute1', 'ovs-vsctl', 'add-port', 'br-int', 'stray0', '--', 'set', 'interface', 'stray0', 'type=internal']],
  },
  'easyovs-tour': {
    'vms-talk': [['compute1', ...of('br-int', 'add-flow', CUT_VM3)]],
    'list-compute1': [...easyOvsRecordOnly('compute1'), ['network', 'nl-easyovs-log', JSON.stringify({ action: 'list', at: 1 })]],
    'show-compute1-br-int': easyOvsRecordOnly('compute1', { action: 'show', bridge: 'br-eth0', at: 1 }),
    'show-network-br-int': easyOvsRecordOnly('network', { action: 'show', bridge: 'br-eth0', at: 1 }),
    'dump-br-eth0': easyOvsRecordOnly('compute1', { action: 'dump', bridge: 'br-int', at: 1 }),
    // Another VM cut off.
    'addflow-cut-vm3': easyOvsRecordOnly('compute1', { action: 'addflow', bridge: 'br-int', at: 1, flows: ['table=0, priority=3,ip,nw_src=192.168.0.4 actions=drop'] }),
    // Deleted, and added back with ovs-ofctl.
    'delflow-restore-vm3': [['compute1', ...of('br-int', 'add-flow', CUT_VM3)]],
    'ipt-vm1': easyOvsRecordOnly('compute1', { action: 'ipt', at: 1, addresses: ['192.168.0.4'] }),
  },
};
