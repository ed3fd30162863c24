import type { CloudModel, ResolvedPort } from '../cloud/model';
import { deviceName } from '../cloud/names';
import type { ExecResult } from '../docker/exec';
import { AppError } from '../errors';
import type { PacketTrace } from '../inspect/trace/parse';
import { readTrace, runTrace } from '../inspect/trace/run';
import { contains, parseCidr, parseIpv4 } from '../net/ipv4';
import type { WalkBridgeLeg, WalkFirewallLeg, WalkLeg, WalkOutput, WalkResult } from './walk-types';
import type { Runner } from './kinds/kind';
import { resolveAsk, type VmPacketAsk } from './vm-packet';
import { firewallCrossing } from './walk-firewall';
import { traceFields } from './walk-packet';
import { routerCrossing, routerPortOf } from './walk-router';

/**
 * The walk: the way the control plane says a packet goes, before any is sent. `ofproto/trace`
 * from the VM's port on br-int, through every bridge its flows lead to (patch ports included);
 * when it leaves by a tunnel, on again from the tunnel port of the node at the far end with the
 * tunnel's id; when it leaves tagged for a provider network, on again from that node's NIC.
 * One leg per bridge a trace starts from, each the trace OVS printed, read; before and after
 * them, the security groups' iptables chains where the frame crosses a VM's qbr
 * (walk-firewall.ts); when a bridge hands it to a router's qr- or qg- port, the router's
 * namespace: its NAT, route and FORWARD chains (walk-router.ts), and on from the port it
 * leaves by.
 */

type NextLeg = Omit<WalkBridgeLeg, 'kind' | 'trace' | 'outputs'>;

/** The TTL a VM's packet starts with (Linux's default). */
const TTL = 64;

/** How far a walk goes: br-int, a physical bridge and the wire on each of two nodes, a router and the bridge it leaves by. */
const MAX_LEGS = 8;

/** Walks `ask` through the lab `name` of `model`, running ofproto/trace in its nodes with `run`. */
export async function walkLab(model: CloudModel, run: Runner, name: string, ask: VmPacketAsk): Promise<WalkResult> {
  const { from, to, port } = resolveAsk(model, name, ask, 'walk');
  let inner = innerFields(model, from, to, ask.proto, port);
  /** The packet's addresses and TTL now: a router's NAT changes them, each router takes one from the TTL. */
  let src = from.address;
  let dst = to;
  let ttl = TTL;

  // Each node's datapath port names, read once per walk (a node may have two legs: br-int and br-eth1).
  const shownOn = new Map<string, Promise<ExecResult>>();
  const walkOn = async (leg: NextLeg): Promise<WalkBridgeLeg> => {
    if (!shownOn.has(leg.node)) shownOn.set(leg.node, run(leg.node, ['ovs-appctl', 'dpif/show']));
    const [traced, shown] = await Promise.all([runTrace((argv) => run(leg.node, argv), leg.bridge, leg.flow), shownOn.get(leg.node)!]);
    const trace = readTrace(traced, leg.bridge, leg.flow);
    const ports = datapathPorts(shown.stdout);
    const entered = /(?:^|,)dl_vlan=(\d+)/.exec(leg.flow)?.[1];
    return { kind: 'ovs', ...leg, trace, outputs: outputsOf(trace, ports, entered === undefined ? undefined : Number(entered)) };
  };
  const result = (legs: WalkLeg[]): WalkResult => {
    const last = legs.at(-1)!;
    return {
      from: from.name,
      to,
      proto: ask.proto,
      ...(port === undefined ? {} : { port }),
      legs,
      dropped: droppedAt(last),
      verdict: verdictOf(last),
    };
  };
  const firewall = firewallCrossing(model, run, from, ask.proto, port);
  const router = routerCrossing(model, run);
  const leaving = await firewall(from, 'out', { src, dst });
  if (leaving && leaving.verdict !== 'ACCEPT') return result([leaving]);

  const legs: WalkLeg[] = leaving ? [leaving] : [];
  let bridge = await walkOn({ node: from.node, bridge: 'br-int', flow: `in_port=${vmOvsPort(from)},${inner}` });
  legs.push(bridge);
  for (let count = 1; count < MAX_LEGS; count++) {
    // Into a router's namespace by its qr- or qg- port: routed (and NAT'd) there, on from the port it leaves by.
    // Only a frame addressed to the port's MAC: a flood (no MAC learned yet) reaches a router's
    // port too, and its kernel ignores what is not for it.
    const frameTo = /(?:^|,)dl_dst=([0-9a-f:]+)/.exec(bridge.flow)?.[1];
    const routerPort = bridge.trace.dropped
      ? undefined
      : bridge.outputs
          .map((o) => routerPortOf(model, bridge.node, o.device))
          .find((found) => found !== undefined && (frameTo === undefined || found.port.mac === frameTo));
    let next: NextLeg | undefined;
    if (routerPort) {
      const hop = await router(bridge.node, routerPort, { proto: ask.proto, port, src, dst });
      legs.push(...hop.legs);
      if (!hop.out) return result(legs);
      const last = hop.legs.at(-1)!;
      ({ src, dst } = hop.out.packet);
      ttl--;
      inner = traceFields({ proto: ask.proto, port, src, dst }, { src: hop.out.macSrc, dst: hop.out.macDst }, ttl);
      next = {
        node: bridge.node,
        bridge: hop.out.bridge,
        flow: `in_port=${hop.out.device},${inner}`,
        arrivedBy: `routed by ${last.namespace} out of ${hop.out.device}${last.via ? ` via ${last.via}` : ''}`,
      };
    } else {
      next = nextLeg(model, bridge, from, dst, inner);
    }
    if (!next || legs.some((leg) => leg.kind === 'ovs' && leg.node === next.node && leg.bridge === next.bridge && leg.flow === next.flow))
      break;
    bridge = await walkOn(next);
    legs.push(bridge);
  }
  const target = bridge.trace.dropped ? undefined : hybridPortOut(model, bridge, dst);
  const arriving = target && (await firewall(target, 'in', { src, dst }));
  return result([...legs, ...(arriving ? [arriving] : [])]);
}

function droppedAt(leg: WalkLeg): boolean {
  if (leg.kind === 'ovs') return leg.trace.dropped;
  if (leg.kind === 'iptables') return leg.verdict === 'DROP' || leg.verdict === 'REJECT';
  return leg.verdict === 'dropped' || leg.verdict === 'no route';
}

/** The VM port, filtered on its qbr, that a leg sends the packet for `to` out of: the far end's firewall. */
function hybridPortOut(model: CloudModel, leg: WalkBridgeLeg, to: string): ResolvedPort | undefined {
  return model.ports.find(
    (p) =>
      p.node === leg.node &&
      p.address === to &&
      p.network.firewall === 'hybrid' &&
      leg.outputs.some((o) => o.device === deviceName('qvo', p.portId)),
  );
}

/** The VM's port on br-int: its qvo (hybrid firewall: the veth from qbr) or its tap (plugged straight in). */
function vmOvsPort(port: ResolvedPort): string {
  return deviceName(port.network.firewall === 'hybrid' ? 'qvo' : 'tap', port.portId);
}

/**
 * The packet the VM sends, as a trace's fields: its MAC and address, the next hop's MAC (the
 * target's own port on the same subnet, else the subnet's gateway, a router's qr- port), the
 * protocol and port.
 */
function innerFields(model: CloudModel, from: ResolvedPort, to: string, proto: VmPacketAsk['proto'], port: number | undefined): string {
  const onSubnet = sameSubnet(from.subnet.cidr, to);
  const nextHop = onSubnet ? to : from.subnet.gateway;
  const mac = macOf(model, from.network.name, nextHop);
  if (!mac) {
    throw new AppError(
      'input',
      `Nothing on ${from.network.name} answers for ${nextHop}${onSubnet ? '' : ` (the gateway ${from.name} would send ${to} to)`}.`,
      {
        hint: onSubnet
          ? 'Walk to a VM, the DHCP port or a router interface of the network.'
          : 'The subnet has no router interface on its gateway.',
      },
    );
  }
  return traceFields({ proto, port, src: from.address, dst: to }, { src: from.mac, dst: mac }, TTL);
}

function macOf(model: CloudModel, network: string, address: string): string | undefined {
  const port = model.ports.find((p) => p.network.name === network && p.address === address);
  if (port) return port.mac;
  for (const router of model.routers) {
    const iface = [...router.interfaces, ...(router.gateway ? [router.gateway] : [])].find(
      (i) => i.network.name === network && i.address === address,
    );
    if (iface) return iface.mac;
  }
  return model.pools.find((pool) => pool.network.name === network && pool.vip.address === address)?.vip.mac;
}

function sameSubnet(cidr: string, address: string): boolean {
  const subnet = parseCidr(cidr);
  const ip = parseIpv4(address);
  return subnet !== undefined && ip !== undefined && contains(subnet, ip);
}

/**
 * Where the packet goes on from a leg. ofproto/trace follows patch ports by itself; what it cannot
 * follow is a veth between two bridges (int-br-eth1/phy-br-eth1, up to Icehouse), a tunnel to
 * another node, and a provider network's wire: the walk goes on there, in that order.
 */
function nextLeg(model: CloudModel, leg: WalkBridgeLeg, from: ResolvedPort, to: string, inner: string): NextLeg | undefined {
  if (leg.trace.dropped) return undefined;
  const here = model.nodes.get(leg.node);
  const tagged = (vlan: number | undefined) => (vlan === undefined ? '' : `dl_vlan=${vlan},`);
  for (const output of leg.outputs) {
    const pair = here?.physicalBridges.find((b) => b.intPort === output.device || b.phyPort === output.device);
    if (!pair) continue;
    const [bridge, inPort] = output.device === pair.intPort ? [pair.bridge, pair.phyPort] : ['br-int', pair.intPort];
    return {
      node: leg.node,
      bridge,
      flow: `in_port=${inPort},${tagged(output.vlan)}${inner}`,
      arrivedBy: `through the veth pair ${pair.intPort}/${pair.phyPort}`,
    };
  }
  const tunnel = leg.trace.tunnels[0];
  if (tunnel?.destination) {
    const out = here?.tunnels.find((t) => t.remoteIp === tunnel.destination);
    const back = out && model.nodes.get(out.remoteNode)?.tunnels.find((t) => t.remoteNode === leg.node);
    if (!out || !back) return undefined;
    const id = tunnel.tunnelId ?? '0';
    const name = tunnel.type === 'gre' ? `GRE key ${id}` : `${tunnel.type.toUpperCase()} VNI ${id}`;
    return {
      node: out.remoteNode,
      bridge: 'br-tun',
      flow: `in_port=${back.name},tun_id=${id},tun_src=${out.localIp},tun_dst=${out.remoteIp},${inner}`,
      arrivedBy: `${name} from ${out.localIp}`,
    };
  }
  // A provider network's wire: on to the node of the port the packet is for, in by its NIC.
  const network = from.network;
  const nic = here?.physicalBridges.find((b) => b.physnet === network.physnet && b.bridge === leg.bridge);
  const wire = nic && leg.outputs.find((o) => o.device === nic.interface);
  const target = model.ports.find((p) => p.network.name === network.name && p.address === to);
  if (!wire || !target || target.node === leg.node) return undefined;
  const there = model.nodes.get(target.node)?.physicalBridges.find((b) => b.physnet === network.physnet);
  if (!there) return undefined;
  return {
    node: target.node,
    bridge: there.bridge,
    flow: `in_port=${there.interface},${tagged(wire.vlan)}${inner}`,
    arrivedBy: `${wire.vlan === undefined ? 'untagged' : `VLAN ${wire.vlan}`} on ${network.physnet}`,
  };
}

function verdictOf(leg: WalkLeg): string {
  if (leg.kind === 'iptables') return firewallVerdict(leg);
  if (leg.kind === 'router')
    return `${leg.verdict === 'local' ? 'taken by' : leg.verdict === 'unknown' ? 'unknown in' : 'dropped in'} ${leg.namespace} on ${leg.node}: ${leg.reason ?? ''}`;
  const last = leg.trace.steps.at(-1);
  if (leg.trace.dropped) return `dropped on ${leg.node}${last ? `, ${last.bridge} table ${last.table}` : ''}`;
  return `out of ${leg.node} by ${leg.outputs.map((o) => `${o.device}${o.vlan === undefined ? '' : ` (VLAN ${o.vlan})`}`).join(', ')}`;
}

/** The datapath's port numbers, by device name (`ovs-appctl dpif/show`: "    tap4385f950-8b 2/6: (system)"). */
function datapathPorts(shown: string): Map<number, string> {
  const ports = new Map<number, string>();
  for (const [, name, number] of shown.matchAll(/^ {4}(\S+) \d+\/(\d+):/gm)) ports.set(Number(number), name!);
  return ports;
}

/**
 * The devices the datapath actions send the packet out of, each with the VLAN it carries there
 * (the actions run in order: push_vlan tags, pop_vlan untags, a number outputs), then tunnels.
 */
export function outputsOf(trace: PacketTrace, ports: ReadonlyMap<number, string>, vlan?: number): WalkOutput[] {
  const outputs: WalkOutput[] = [];
  let depth = 0;
  let item = '';
  let tag = vlan;
  for (const char of `${trace.datapathActions},`) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char !== ',' || depth > 0) {
      item += char;
      continue;
    }
    const action = item.trim();
    item = '';
    const pushed = /^push_vlan\(vid=(\d+)/.exec(action);
    if (pushed) tag = Number(pushed[1]);
    else if (action === 'pop_vlan') tag = undefined;
    else if (/^\d+$/.test(action))
      outputs.push({ device: ports.get(Number(action)) ?? `datapath port ${action}`, ...(tag === undefined ? {} : { vlan: tag }) });
  }
  for (const tunnel of trace.tunnels) outputs.push({ device: `${tunnel.type} tunnel to ${tunnel.destination ?? '?'}` });
  return outputs;
}

function firewallVerdict(leg: WalkFirewallLeg): string {
  const last = leg.steps.at(-1);
  const where = `on ${leg.node}, crossing ${leg.bridge} (${leg.crossing})`;
  if (leg.verdict === 'unknown') return `unknown ${where}: ${leg.reason ?? 'iptables'}`;
  if (leg.verdict === 'ACCEPT')
    return `out of ${leg.node} by ${leg.crossing.split(' → ')[1]}, let through by iptables crossing ${leg.bridge}`;
  const entered = leg.steps.at(-2)?.chain;
  const from = entered && entered !== last?.chain ? `, entered from ${entered}` : '';
  return `dropped ${where} by iptables chain ${last?.chain ?? 'FORWARD'}${from}: ${last?.rule ?? ''}`;
}
