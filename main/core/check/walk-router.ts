import { fipNamespace, snatNamespace } from '../cloud/agents/dvr-l3-agent';
import { routerNamespace } from '../cloud/agents/l3-agent';
import type { CloudModel, NamespacePort, ResolvedRouter } from '../cloud/model';
import { inNamespace } from '../docker/exec';
import { evaluateTable, type Evaluation } from '../inspect/iptables/evaluate';
import { parseIptables } from '../inspect/iptables/parse';
import type { IptablesTable } from '../inspect/iptables/types';
import type { Runner } from './kinds/kind';
import { iptablesPacket, type WalkedAddresses } from './walk-packet';
import type { WalkRouterLeg } from './walk-types';

/**
 * A walk's packet through a router's namespaces (walk.ts), as the kernel takes a forwarded
 * packet: nat PREROUTING (a floating IP's DNAT, the metadata REDIRECT), the route
 * (`ip route get … iif …`, the namespace's own table), filter FORWARD (FWaaS), nat POSTROUTING
 * (SNAT), then out by the routed device with the next hop's MAC. A distributed router's are
 * qrouter- on each host (and fip- after it, for a floating IP) and snat- on the network node.
 * Each namespace's tables are read once per walk.
 */

export interface RouterHop {
  /** The namespaces crossed: the router's, and for a distributed router's floating IP the host's fip- one after it. */
  legs: WalkRouterLeg[];
  /** Routed on: the packet as it leaves, the device, its MAC and the next hop's (undefined when unknown: ARP not resolved). */
  out?: { packet: WalkedAddresses; device: string; bridge: string; macSrc: string; macDst: string | undefined };
}

/** A router's port a packet comes in by, and the namespace it is in. */
export interface RouterPortAt {
  router: ResolvedRouter;
  port: NamespacePort;
  namespace: string;
}

/**
 * The router port behind a device a bridge sends the packet to, on that node: a qr- or qg- of a
 * centralised router on its network node; of a distributed router, a qr- on a host it runs on
 * (each host has the same qr- ports: east-west traffic is routed on the sender's own host), or
 * on its network node an sg- or qg- of its snat- namespace (where traffic without a floating IP
 * leaves).
 */
export function routerPortOf(model: CloudModel, node: string, device: string): RouterPortAt | undefined {
  for (const router of model.routers) {
    for (const { namespace, ports } of namespacesOf(router, node)) {
      const port = ports.find((p) => p.device === device);
      if (port) return { router, port, namespace };
    }
  }
  return undefined;
}

/** A router's namespaces on a node, each with its ports on OVS bridges. */
function namespacesOf(router: ResolvedRouter, node: string): { namespace: string; ports: NamespacePort[] }[] {
  const gateway = router.gateway ? [router.gateway] : [];
  const found: { namespace: string; ports: NamespacePort[] }[] = [];
  if (router.distributed ? router.hosts.includes(node) : router.node === node)
    found.push({ namespace: routerNamespace(router), ports: router.distributed ? router.interfaces : [...router.interfaces, ...gateway] });
  if (router.distributed && router.node === node && router.gateway)
    found.push({ namespace: snatNamespace(router), ports: [...router.snatPorts, ...gateway] });
  return found;
}

/** One namespace crossed: the leg, and where the route sends the packet on (when it does). */
interface Crossed {
  leg: WalkRouterLeg;
  routed?: { packet: WalkedAddresses; device: string; via: string | undefined };
}

export function routerCrossing(model: CloudModel, run: Runner) {
  // Each centralised router's tables are read as the walk starts, beside its first trace: a walk
  // that reaches a router finds them read (one that reaches none spent an exec in parallel).
  const tables = new Map<string, Promise<Map<string, IptablesTable>>>();
  const tablesOf = (node: string, namespace: string) => {
    const key = `${node} ${namespace}`;
    if (!tables.has(key)) tables.set(key, readTables(run, node, namespace));
    return tables.get(key)!;
  };
  for (const router of model.routers) if (!router.distributed) void tablesOf(router.node, routerNamespace(router)).catch(() => undefined);

  /** Through one namespace as the kernel forwards: nat PREROUTING, the route, filter FORWARD, nat POSTROUTING. */
  const cross = async (node: string, namespace: string, inDevice: string, packet: WalkedAddresses): Promise<Crossed> => {
    const inNs = (argv: string[]) => run(node, inNamespace(argv, namespace));
    const leg: WalkRouterLeg = { kind: 'router', node, namespace, in: inDevice, steps: [], changes: [], verdict: 'routed' };
    const end = (verdict: WalkRouterLeg['verdict'], reason: string): Crossed => ({ leg: { ...leg, verdict, reason } });
    const all = await tablesOf(node, namespace);
    const nat = all.get('nat');
    const filter = all.get('filter');
    const record = (table: 'nat' | 'filter', evaluation: Evaluation) => {
      leg.steps.push(...evaluation.steps.map((step) => ({ ...step, table })));
      if (evaluation.verdict === 'unknown') return end('unknown', evaluation.reason ?? 'a rule the walk does not evaluate');
      if (evaluation.verdict !== 'ACCEPT') return end('dropped', `${evaluation.steps.at(-1)?.rule ?? table} (${table} table)`);
      return undefined;
    };
    let now = { ...packet };
    const ctstates = ['NEW'];

    // nat PREROUTING: a floating IP's DNAT, the metadata proxy's REDIRECT.
    if (nat) {
      const pre = evaluateTable(nat, 'PREROUTING', iptablesPacket(now, { inInterface: inDevice, ctstates }));
      const stopped = record('nat', pre);
      if (stopped) return stopped;
      if (pre.rewrite?.redirect !== undefined) return end('local', `redirected to port ${pre.rewrite.redirect} of ${namespace} itself`);
      if (pre.rewrite?.dst) {
        leg.changes.push(`destination ${now.dst} → ${pre.rewrite.dst} (DNAT)`);
        now = { ...now, dst: pre.rewrite.dst };
        ctstates.push('DNAT');
      }
    }

    // The route the namespace's tables give a packet coming in by that device (its policy rules too: a floating IP's).
    const routed = await inNs(['ip', '-j', 'route', 'get', now.dst, 'from', now.src, 'iif', inDevice]);
    if (routed.exitCode !== 0) return end('no route', `${namespace} has no route to ${now.dst}: ${routed.stderr.trim()}`);
    const route = (JSON.parse(routed.stdout) as { type?: string; dev?: string; gateway?: string; prefsrc?: string }[])[0];
    if (!route?.dev || route.type === 'local') return end('local', `${now.dst} is ${namespace}'s own address`);
    leg.out = route.dev;
    if (route.gateway) leg.via = route.gateway;

    // filter FORWARD (FWaaS), then nat POSTROUTING (SNAT).
    if (filter) {
      const stopped = record(
        'filter',
        evaluateTable(filter, 'FORWARD', iptablesPacket(now, { inInterface: inDevice, outInterface: route.dev, ctstates })),
      );
      if (stopped) return stopped;
    }
    if (nat) {
      const post = evaluateTable(nat, 'POSTROUTING', iptablesPacket(now, { inInterface: inDevice, outInterface: route.dev, ctstates }));
      const stopped = record('nat', post);
      if (stopped) return stopped;
      const source = post.rewrite?.src ?? (post.rewrite?.masquerade ? route.prefsrc : undefined);
      if (source) {
        leg.changes.push(`source ${now.src} → ${source} (SNAT)`);
        now = { ...now, src: source };
      }
    }
    return { leg, routed: { packet: now, device: route.dev, via: route.gateway } };
  };

  /** Out of a namespace's port onto its bridge: the port's MAC, and the next hop's as the namespace knows it. */
  const leave = async (node: string, namespace: string, legs: WalkRouterLeg[], crossed: Crossed, port: NamespacePort, bridge: string) => {
    const { packet, device, via } = crossed.routed!;
    const neighbour = await run(node, inNamespace(['ip', '-j', 'neigh', 'show', via ?? packet.dst, 'dev', device], namespace));
    const known = (JSON.parse(neighbour.stdout || '[]') as { lladdr?: string }[])[0]?.lladdr;
    return { legs, out: { packet, device, bridge, macSrc: port.mac, macDst: known } };
  };

  return async (node: string, at: RouterPortAt, packet: WalkedAddresses): Promise<RouterHop> => {
    const first = await cross(node, at.namespace, at.port.device, packet);
    if (!first.routed) return { legs: [first.leg] };
    const unknown = (crossed: Crossed, legs: WalkRouterLeg[]): RouterHop => {
      const reason = `${crossed.routed!.device} is no port of the router on an OVS bridge the walk can go on from`;
      return { legs: [...legs.slice(0, -1), { ...crossed.leg, verdict: 'unknown', reason }] };
    };
    // A distributed router's floating IP: out of rfp- to the host's fip- namespace, in by fpr-, out of its fg- port.
    const link = at.router.fipLink;
    const fip = model.nodes.get(node)?.fipGateway;
    if (link && fip && first.routed.device === link.rfp) {
      const namespace = fipNamespace(fip);
      const second = await cross(node, namespace, link.fpr, first.routed.packet);
      const legs = [first.leg, second.leg];
      if (!second.routed) return { legs };
      if (second.routed.device !== fip.device) return unknown(second, legs);
      return leave(node, namespace, legs, second, fip, fip.bridge);
    }
    const { ports } = namespacesOf(at.router, node).find(({ namespace }) => namespace === at.namespace)!;
    const port = ports.find((p) => p.device === first.routed!.device);
    if (!port) return unknown(first, [first.leg]);
    const bridge = at.router.gateway?.device === port.device ? at.router.gateway.bridge : 'br-int';
    return leave(node, at.namespace, [first.leg], first, port, bridge);
  };
}

async function readTables(run: Runner, node: string, namespace: string): Promise<Map<string, IptablesTable>> {
  const saved = await run(node, inNamespace(['iptables-save'], namespace));
  if (saved.exitCode !== 0) return new Map();
  return new Map(parseIptables(saved.stdout, `${node} ${namespace}: iptables-save`).tables.map((t) => [t.name, t]));
}
