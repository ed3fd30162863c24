import type { CloudModel, NamespacePort, ResolvedRouter } from '../cloud/model';
import { inNamespace } from '../docker/exec';
import { evaluateTable, type Evaluation } from '../inspect/iptables/evaluate';
import { parseIptables } from '../inspect/iptables/parse';
import type { IptablesTable } from '../inspect/iptables/types';
import type { Runner } from './kinds/kind';
import { iptablesPacket, type WalkedAddresses } from './walk-packet';
import type { WalkRouterLeg } from './walk-types';

/**
 * A walk's packet through a router's namespace (walk.ts), as the kernel takes a forwarded
 * packet: nat PREROUTING (a floating IP's DNAT, the metadata REDIRECT), the route
 * (`ip route get … iif …`, the namespace's own table), filter FORWARD (FWaaS), nat POSTROUTING
 * (SNAT), then out by the routed device with the next hop's MAC. Each namespace's tables are
 * read once per walk.
 */

export interface RouterHop {
  leg: WalkRouterLeg;
  /** Routed on: the packet as it leaves, the device, its MAC and the next hop's (undefined when unknown: ARP not resolved). */
  out?: { packet: WalkedAddresses; device: string; bridge: string; macSrc: string; macDst: string | undefined };
}

/**
 * The router port behind a device a bridge sends the packet to, on that node: a qr- or qg- of a
 * centralised router on its network node, or a qr- of a distributed router on a host it runs on
 * (each host has the same qr- ports: east-west traffic is routed on the sender's own host).
 */
export function routerPortOf(model: CloudModel, node: string, device: string): { router: ResolvedRouter; port: NamespacePort } | undefined {
  for (const router of model.routers) {
    if (!router.hosts.includes(node)) continue;
    const ports = router.distributed ? router.interfaces : [...router.interfaces, ...(router.gateway ? [router.gateway] : [])];
    const port = ports.find((p) => p.device === device);
    if (port) return { router, port };
  }
  return undefined;
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
  for (const router of model.routers) if (!router.distributed) void tablesOf(router.node, `qrouter-${router.id}`).catch(() => undefined);

  return async (node: string, router: ResolvedRouter, inPort: NamespacePort, packet: WalkedAddresses): Promise<RouterHop> => {
    const namespace = `qrouter-${router.id}`;
    const inNs = (argv: string[]) => run(node, inNamespace(argv, namespace));
    const leg: WalkRouterLeg = { kind: 'router', node, namespace, in: inPort.device, steps: [], changes: [], verdict: 'routed' };
    const end = (verdict: WalkRouterLeg['verdict'], reason: string): RouterHop => ({ leg: { ...leg, verdict, reason } });
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
      const pre = evaluateTable(nat, 'PREROUTING', iptablesPacket(now, { inInterface: inPort.device, ctstates }));
      const stopped = record('nat', pre);
      if (stopped) return stopped;
      if (pre.rewrite?.redirect !== undefined) return end('local', `redirected to port ${pre.rewrite.redirect} of ${namespace} itself`);
      if (pre.rewrite?.dst) {
        leg.changes.push(`destination ${now.dst} → ${pre.rewrite.dst} (DNAT)`);
        now = { ...now, dst: pre.rewrite.dst };
        ctstates.push('DNAT');
      }
    }

    // The route the namespace's table gives a packet coming in by that port.
    const routed = await inNs(['ip', '-j', 'route', 'get', now.dst, 'from', now.src, 'iif', inPort.device]);
    if (routed.exitCode !== 0) return end('no route', `${namespace} has no route to ${now.dst}: ${routed.stderr.trim()}`);
    const route = (JSON.parse(routed.stdout) as { type?: string; dev?: string; gateway?: string; prefsrc?: string }[])[0];
    if (!route?.dev || route.type === 'local') return end('local', `${now.dst} is ${namespace}'s own address`);
    leg.out = route.dev;
    if (route.gateway) leg.via = route.gateway;

    // filter FORWARD (FWaaS), then nat POSTROUTING (SNAT).
    if (filter) {
      const stopped = record(
        'filter',
        evaluateTable(filter, 'FORWARD', iptablesPacket(now, { inInterface: inPort.device, outInterface: route.dev, ctstates })),
      );
      if (stopped) return stopped;
    }
    if (nat) {
      const post = evaluateTable(
        nat,
        'POSTROUTING',
        iptablesPacket(now, { inInterface: inPort.device, outInterface: route.dev, ctstates }),
      );
      const stopped = record('nat', post);
      if (stopped) return stopped;
      const source = post.rewrite?.src ?? (post.rewrite?.masquerade ? route.prefsrc : undefined);
      if (source) {
        leg.changes.push(`source ${now.src} → ${source} (SNAT)`);
        now = { ...now, src: source };
      }
    }

    // Out: the bridge the device is a port of (the gateway's external bridge, br-int for a qr-), its MAC, the next hop's.
    const bridge =
      router.gateway?.device === route.dev
        ? router.gateway.bridge
        : router.interfaces.some((p) => p.device === route.dev)
          ? 'br-int'
          : undefined;
    const outPort = [...router.interfaces, ...(router.gateway ? [router.gateway] : [])].find((p) => p.device === route.dev);
    if (!outPort || !bridge) return end('unknown', `${route.dev} is no port of the router on an OVS bridge the walk can go on from`);
    const neighbour = await inNs(['ip', '-j', 'neigh', 'show', route.gateway ?? now.dst, 'dev', route.dev]);
    const known = (JSON.parse(neighbour.stdout || '[]') as { lladdr?: string }[])[0]?.lladdr;
    return { leg, out: { packet: now, device: route.dev, bridge, macSrc: outPort.mac, macDst: known } };
  };
}

async function readTables(run: Runner, node: string, namespace: string): Promise<Map<string, IptablesTable>> {
  const saved = await run(node, inNamespace(['iptables-save'], namespace));
  if (saved.exitCode !== 0) return new Map();
  return new Map(parseIptables(saved.stdout, `${node} ${namespace}: iptables-save`).tables.map((t) => [t.name, t]));
}
