import { inNamespace } from '../../docker/exec';
import type { CloudModel, NodeModel, ResolvedPort } from '../model';
import { deviceName } from '../names';
import { part, vsctl, type PartRef, type PlanPart, type Step } from '../plan';
import { bridgeName } from './linuxbridge-agent';
import { createNamespace } from './namespace';
import { ref } from './ovs-agent';
import { commandLinePattern, runningCommand, runningFromPidFile } from './process-guard';

/**
 * Ports on br-int: a VM wired as Nova's hybrid driver wires it (the VM's eth0 ↔ tap → qbr →
 * qvb/qvo → br-int), and a DHCP port (the qdhcp namespace's ns- end ↔ tap on br-int, with
 * dnsmasq). A "VM" is a network namespace named after it.
 */

const linkExists = (name: string): string[] => ['ip', 'link', 'show', 'dev', name];
const txOff = (dev: string, ns?: string): Step => ({ argv: inNamespace(['ethtool', '-K', dev, 'tx', 'off'], ns) });

/** br-int's port for a Neutron port: its local VLAN and the external ids Nova and the agents set. */
function intPort(device: string, port: ResolvedPort, lvid: number): Step {
  return {
    argv: vsctl(
      ['--may-exist', 'add-port', 'br-int', device],
      ['set', 'port', device, `tag=${lvid}`],
      [
        'set',
        'interface',
        device,
        `external_ids:iface-id=${port.portId}`,
        `external_ids:attached-mac=${port.mac}`,
        'external_ids:iface-status=active',
      ],
    ),
  };
}

/** The port's address, MAC and MTU inside its namespace. */
function addressing(ns: string, dev: string, port: ResolvedPort, gatewayRoute: boolean): Step[] {
  const steps: Step[] = [
    { argv: ['ip', '-n', ns, 'link', 'set', dev, 'address', port.mac, 'mtu', String(port.network.mtu)] },
    txOff(dev, ns),
    { argv: ['ip', '-n', ns, 'link', 'set', dev, 'up'] },
  ];
  if (!port.dhcp) {
    steps.push({ argv: ['ip', '-n', ns, 'addr', 'replace', `${port.address}/${port.subnet.prefix}`, 'dev', dev] });
    if (gatewayRoute) steps.push({ argv: ['ip', '-n', ns, 'route', 'replace', 'default', 'via', port.subnet.gateway, 'dev', dev] });
  }
  return steps;
}

export function vmPart(model: CloudModel, node: NodeModel, port: ResolvedPort): PlanPart {
  const ns = port.name;
  const { summary, needs, steps } = plug(node, port);
  return part(ref(node, 'vm', port.name), `VM ${port.name} (${port.address}): ${summary}`, needs, [
    ...createNamespace(ns),
    // The VM's NIC: eth0 in the namespace, its other end the tap device Nova plugs in.
    {
      argv: ['ip', 'link', 'add', deviceName('tap', port.portId), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns],
      unless: linkExists(deviceName('tap', port.portId)),
    },
    ...steps,
    ...addressing(ns, 'eth0', port, true),
    ...(port.dhcp ? [askForLease(ns)] : []),
    ...(port.http ? webServerSteps(ns, port.http) : []),
  ]);
}

/**
 * How Nova plugs the VM's tap, by the network's agent and firewall driver: hybrid (tap → qbr →
 * qvb/qvo → br-int, where the iptables driver can see it), noop (the tap straight on br-int), or
 * Linux bridge (the tap on the network's brq).
 */
function plug(node: NodeModel, port: ResolvedPort): { summary: string; needs: PartRef[]; steps: Step[] } {
  const [tap, qbr, qvb, qvo] = (['tap', 'qbr', 'qvb', 'qvo'] as const).map((prefix) => deviceName(prefix, port.portId)) as [
    string,
    string,
    string,
    string,
  ];
  const mtu = String(port.network.mtu);
  if (port.network.agent === 'linuxbridge') {
    const brq = bridgeName(port.network);
    return {
      summary: `${tap} → ${brq}`,
      needs: [ref(node, 'linuxbridge', port.network.name)],
      steps: [{ argv: ['ip', 'link', 'set', tap, 'master', brq, 'mtu', mtu, 'up'] }, txOff(tap)],
    };
  }
  const lvid = node.localVlans.get(port.network.name) as number;
  if (port.network.firewall === 'noop') {
    return {
      summary: `${tap} → br-int, tag ${lvid}`,
      needs: [ref(node, 'integration-bridge')],
      steps: [{ argv: ['ip', 'link', 'set', tap, 'mtu', mtu, 'up'] }, txOff(tap), intPort(tap, port, lvid)],
    };
  }
  return {
    summary: `${tap} → ${qbr} → ${qvb}/${qvo} → br-int, tag ${lvid}`,
    needs: [ref(node, 'integration-bridge')],
    steps: [
      { argv: ['ip', 'link', 'add', qbr, 'type', 'bridge'], unless: linkExists(qbr) },
      { argv: ['ip', 'link', 'add', qvb, 'type', 'veth', 'peer', 'name', qvo], unless: linkExists(qvb) },
      { argv: ['ip', 'link', 'set', tap, 'master', qbr, 'mtu', mtu, 'up'] },
      { argv: ['ip', 'link', 'set', qvb, 'master', qbr, 'up'] },
      { argv: ['ip', 'link', 'set', qbr, 'up'] },
      { argv: ['ip', 'link', 'set', qvo, 'up'] },
      txOff(tap),
      txOff(qvb),
      txOff(qvo),
      intPort(qvo, port, lvid),
    ],
  };
}

/** A guest's service: busybox httpd on the port, serving a page that names the VM (so a balancer's choice shows). */
export function webServer(vm: string, httpPort: number): { root: string; argv: string[]; pattern: string } {
  const root = `/var/lib/neutron-lab/www/${vm}`;
  const argv = ['busybox', 'httpd', '-p', `0.0.0.0:${httpPort}`, '-h', root];
  // What pgrep/pkill -f find it by: exactly this command line.
  return { root, argv, pattern: commandLinePattern(argv) };
}

function webServerSteps(ns: string, httpPort: number): Step[] {
  const { root, argv } = webServer(ns, httpPort);
  return [
    { argv: ['mkdir', '-p', root] },
    { argv: ['tee', `${root}/index.html`], input: `${ns}\n` },
    { argv: inNamespace(argv, ns), unless: runningCommand(argv) },
  ];
}

/**
 * A VM that takes its address by DHCP runs a client, as a booting VM would. It asks again every
 * couple of seconds until a server answers (so a DHCP server the learner builds later is found),
 * and touches only the VM's interface (nl-dhclient-script).
 */
function askForLease(ns: string): Step {
  const pidFile = `/run/nl-dhclient-${ns}.pid`;
  const argv = [
    'dhclient',
    '-nw',
    '-cf',
    '/etc/dhcp/nl-vm-dhclient.conf',
    '-sf',
    '/usr/local/bin/nl-dhclient-script',
    '-pf',
    pidFile,
    '-lf',
    `/var/lib/dhcp/nl-${ns}.leases`,
    'eth0',
  ];
  // By its command line: with -nw the client is running before it writes its pid file.
  return { argv: inNamespace(argv, ns), unless: runningCommand(argv) };
}

export const dhcpNamespace = (port: ResolvedPort): string => `qdhcp-${port.network.id}`;
export const dhcpDir = (port: ResolvedPort): string => `/var/lib/neutron/dhcp/${port.network.id}`;

/**
 * dnsmasq's options file, as the DHCP agent writes it: the subnet's gateway is the VMs' router
 * (else dnsmasq offers itself); the subnet's dns_nameservers their resolvers (option 6); with
 * `mtu`, option 26 too, which a VM applies to its interface.
 */
function dhcpOptions(port: ResolvedPort, mtu?: number): string {
  const dns = port.subnet.dnsNameservers;
  return [
    `tag:tag0,option:router,${port.subnet.gateway}\n`,
    dns.length ? `tag:tag0,option:dns-server,${dns.join(',')}\n` : '',
    mtu === undefined ? '' : `tag:tag0,option:mtu,${mtu}\n`,
  ].join('');
}

/**
 * A network whose ports are larger than its tunnel carries (a lab's mtu: 1500 on an overlay)
 * needs its DHCP server to advertise what fits, as operators did with dnsmasq's option 26
 * before Neutron computed MTUs: the options file with the MTU, and dnsmasq told to read it
 * again (SIGHUP). VMs take it when their lease renews.
 */
export function dhcpMtuPart(node: NodeModel, port: ResolvedPort): PlanPart | undefined {
  if (port.network.mtu <= port.network.tunnelMtu) return undefined;
  const dir = dhcpDir(port);
  return part(
    ref(node, 'dhcp-mtu', port.network.name),
    `DHCP for ${port.network.name} advertises MTU ${port.network.tunnelMtu} (option 26)`,
    [ref(node, 'dhcp', port.network.name)],
    [{ argv: ['tee', `${dir}/opts`], input: dhcpOptions(port, port.network.tunnelMtu) }, { argv: ['pkill', '-HUP', '-F', `${dir}/pid`] }],
  );
}

export function dhcpPart(model: CloudModel, node: NodeModel, port: ResolvedPort): PlanPart {
  const lvid = node.localVlans.get(port.network.name) as number;
  const tap = deviceName('tap', port.portId);
  const inside = deviceName('ns-', port.portId);
  const ns = dhcpNamespace(port);
  const dir = dhcpDir(port);
  const network = port.network.name;
  // dnsmasq's static leases: every VM port on the network, as the DHCP agent's host file lists them.
  const hosts = model.ports
    .filter((p) => p.network === port.network && p.owner === 'vm')
    .map((p) => `${p.mac},host-${p.address.replaceAll('.', '-')}.openstacklocal,${p.address}`);
  const subnet = port.subnet;
  return part(
    ref(node, 'dhcp', network),
    `DHCP for ${network}: ${ns} with dnsmasq on ${inside} (${port.address}), tag ${lvid}`,
    [ref(node, 'integration-bridge')],
    [
      ...createNamespace(ns),
      { argv: ['ip', 'link', 'add', tap, 'type', 'veth', 'peer', 'name', inside, 'netns', ns], unless: linkExists(tap) },
      { argv: ['ip', 'link', 'set', tap, 'up'] },
      txOff(tap),
      intPort(tap, port, lvid),
      ...addressing(ns, inside, port, false),
      { argv: ['mkdir', '-p', dir] },
      { argv: ['tee', `${dir}/host`], input: `${hosts.join('\n')}\n` },
      { argv: ['tee', `${dir}/opts`], input: dhcpOptions(port) },
      {
        argv: inNamespace(
          [
            'dnsmasq',
            '--no-hosts',
            '--no-resolv',
            '--strict-order',
            '--bind-interfaces',
            `--interface=${inside}`,
            '--except-interface=lo',
            `--pid-file=${dir}/pid`,
            `--dhcp-hostsfile=${dir}/host`,
            `--dhcp-optsfile=${dir}/opts`,
            `--dhcp-range=set:tag0,${subnet.cidr.split('/')[0]},static,86400s`,
            '--dhcp-lease-max=256',
            `--dhcp-leasefile=${dir}/leases`,
            '--conf-file=',
            '--domain=openstacklocal',
          ],
          ns,
        ),
        unless: runningFromPidFile(`${dir}/pid`, 'dnsmasq'),
      },
      // The agent's reload_allocations: dnsmasq reads the host file again (a VM added since it started).
      { argv: ['pkill', '-HUP', '-F', `${dir}/pid`] },
    ],
  );
}
