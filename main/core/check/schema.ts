import { z } from 'zod';
import { EASYOVS_ACTIONS } from '../inspect/snapshot/types';
import { Ipv4Schema, NameSchema } from '../topology/schema';

/**
 * Objective checks: declarative kinds read from live state (one snapshot per node), active
 * probes sent from inside a namespace, the easyOVS actions a learner ran, and all/any/not to compose them. `command` is the escape
 * hatch for what the kinds cannot say; it runs only inside the lab's containers.
 */

const node = NameSchema.describe('A node of the topology.');
const namespace = z.string().min(1).max(64).describe('A network namespace in the node (default: the node itself).');
const present = z.boolean().default(true).describe('false: the check passes when this is absent.');
const vm = NameSchema.describe('A VM of the cloud: its node and namespace.');

/** Where a probe starts: a VM, or a node (and maybe a namespace in it). */
export const PlaceSchema = z.union([
  z.object({ vm }).strict(),
  z.object({ node, namespace: namespace.optional() }).strict(),
]);

const target = z.union([Ipv4Schema, NameSchema]).describe('An IPv4 address, or the name of a VM (its address).');

const flowSelector = {
  node,
  bridge: z.string().min(1).max(15),
  table: z.number().int().min(0).max(254).optional(),
  priority: z.number().int().min(0).max(65535).optional(),
  match: z.string().optional().describe('Fields the flow must match on, as ovs-ofctl writes them: "in_port=patch-int,dl_vlan=1". Compared by meaning; other fields may be present too.'),
  actions: z.string().optional().describe('The actions, compared by meaning (strip_vlan ≈ pop_vlan, resubmit(,N) ≈ goto_table:N, port numbers ≈ names).'),
  learned: z.boolean().optional().describe('true: only flows a learn action installed (they carry a hard_timeout).'),
};

const BridgeCheck = z.object({
  kind: z.literal('bridge'), node, bridge: z.string().min(1).max(15), present,
  failMode: z.enum(['secure', 'standalone']).optional(),
  datapathType: z.string().optional(),
}).strict();

const PortCheck = z.object({
  kind: z.literal('port'), node, bridge: z.string().min(1).max(15), port: z.string().min(1).max(15), present,
  tag: z.number().int().min(0).max(4095).optional(),
  type: z.string().optional().describe('Interface type: patch, gre, vxlan, internal, system (empty), …'),
  options: z.record(z.string(), z.string()).optional().describe('Interface options that must be set so, e.g. { remote_ip: 10.0.0.100, in_key: flow }.'),
}).strict();

const FlowCheck = z.object({ kind: z.literal('flow'), ...flowSelector, present }).strict();

const IptablesCheck = z.object({
  kind: z.literal('iptables'), node, namespace: namespace.optional(),
  table: z.enum(['filter', 'nat', 'mangle', 'raw']).default('filter'),
  chain: z.string().min(1),
  rule: z.string().optional().describe('Words the rule must contain, in iptables-save form: "-p tcp -m tcp --dport 22 -j RETURN".'),
  present,
}).strict();

const NamespaceCheck = z.object({
  kind: z.literal('namespace'), node, name: z.string().min(1).describe('A namespace name; a trailing * matches any suffix (qdhcp-*).'), present,
}).strict();

const placeFields = { node: node.optional(), vm: vm.optional(), namespace: namespace.optional() };

const AddressCheck = z.object({
  kind: z.literal('address'), ...placeFields, interface: z.string().optional(),
  address: z.string().describe('An address, with or without its prefix: 10.0.0.1 or 10.0.0.1/24.'),
  present,
}).strict();

const LinkCheck = z.object({
  kind: z.literal('link'), ...placeFields, name: z.string().min(1).max(15),
  type: z.string().optional().describe('veth, bridge, tun, openvswitch, … ("" for a plain device).'),
  master: z.string().optional().describe('The Linux bridge (or OVS) it is enslaved to.'),
  up: z.boolean().optional(), mtu: z.number().int().optional(),
  present,
}).strict();

const RouteCheck = z.object({
  kind: z.literal('route'), ...placeFields,
  to: z.string().describe('"default" or a prefix like 10.0.0.0/24.'),
  via: Ipv4Schema.optional(), dev: z.string().optional(), table: z.union([z.number().int(), z.string()]).optional(),
  present,
}).strict();

const IpRuleCheck = z.object({
  kind: z.literal('ip-rule'), ...placeFields,
  table: z.union([z.number().int(), z.string()]), from: z.string().optional(), to: z.string().optional(),
  priority: z.number().int().optional(), present,
}).strict();

const NeighbourCheck = z.object({
  kind: z.literal('neighbour'), ...placeFields, address: Ipv4Schema, mac: z.string().optional(), present,
}).strict();

const ProcessCheck = z.object({
  kind: z.literal('process'), node, name: z.enum(['dnsmasq', 'haproxy']), namespace: namespace.optional(), present,
}).strict();

const PingProbe = z.object({
  kind: z.literal('ping'), from: PlaceSchema, to: target,
  expect: z.enum(['reply', 'no-reply']).default('reply'),
  source: Ipv4Schema.optional().describe('Send from this address, as a VM forging its source would (from a VM only: the address is on its eth0 for the probe).'),
}).strict();

const TcpProbe = z.object({
  kind: z.literal('tcp'), from: PlaceSchema, to: target, port: z.number().int().min(1).max(65535),
  expect: z.enum(['open', 'refused', 'blocked']).default('open').describe('blocked: refused or no answer at all.'),
}).strict();

const HttpProbe = z.object({
  kind: z.literal('http'), from: PlaceSchema, url: z.string().url(),
  status: z.number().int().default(200), body: z.string().optional().describe('A regular expression every body must match.'),
  requests: z.number().int().min(1).max(20).default(1).describe('How many requests to send, one after another.'),
  spread: z.array(z.string()).min(2).optional().describe('Regular expressions each matched by some answer, e.g. the members a balancer spreads requests over (it keeps asking, up to 3 s).'),
}).strict();

const DhcpProbe = z.object({
  kind: z.literal('dhcp'), vm, expect: Ipv4Schema.optional().describe('The address the lease must give (default: the VM’s).'),
}).strict();

const TraceCheck = z.object({
  kind: z.literal('trace'), node, bridge: z.string().min(1).max(15),
  flow: z.string().min(1).describe('The packet, as ofproto/trace reads it: in_port=qvo…,dl_src=…,dl_dst=…,ip,nw_src=…,nw_dst=…'),
  output: z.string().optional().describe('The port the packet must leave by (in the datapath).'),
  tunnelId: z.number().int().min(0).optional().describe('The tunnel key it must carry out.'),
  drop: z.boolean().optional().describe('true: the packet must be dropped.'),
}).strict();

const CommandCheck = z.object({
  kind: z.literal('command'), node, namespace: namespace.optional(),
  argv: z.array(z.string()).min(1).describe('Run as is, without a shell, inside the node.'),
  input: z.string().optional().describe('Standard input for it (e.g. "show stat\\n" for haproxy\'s stats socket).'),
  exitCode: z.number().int().default(0), output: z.string().optional().describe('A regular expression standard output must match.'),
}).strict();

/** Traffic a counter check sends while it watches a flow. */
export const TrafficSchema = z.discriminatedUnion('kind', [PingProbe, TcpProbe, HttpProbe, CommandCheck]);

const CaptureCheck = z.object({
  kind: z.literal('capture'), node, namespace: namespace.optional(),
  interface: z.string().min(1).max(15).describe('Where to listen, e.g. eth1 (the wire) or a qvo port.'),
  filter: z.string().min(1).describe('A tcpdump filter: "vlan 101 and icmp", "icmp and src 9.186.100.2".'),
  traffic: TrafficSchema.describe('What the check sends once the capture listens.'),
  output: z.string().optional().describe('A regular expression a captured line must match (tcpdump -nn -e).'),
}).strict();

/** An iptables rule whose counter a counter check watches. */
const IptablesRuleSelector = z.object({
  namespace: namespace.optional(),
  table: z.enum(['filter', 'nat', 'mangle', 'raw']).default('filter'),
  chain: z.string().min(1),
  rule: z.string().optional().describe('Words the rule must contain, as in an iptables check (default: every rule of the chain).'),
}).strict();

/** Where a counter is: flows of a bridge, or an iptables rule, on a node. */
const counterPlace = {
  ...flowSelector,
  bridge: flowSelector.bridge.optional().describe('Watch flows of this bridge (or give iptables).'),
  iptables: IptablesRuleSelector.optional().describe('Watch an iptables rule instead of flows.'),
};

const CounterCheck = z.object({
  kind: z.literal('counter'), ...counterPlace,
  traffic: TrafficSchema.describe('What the check sends while it watches the counter.'),
  grows: z.number().int().min(1).default(1).describe('By at least this many packets.'),
  unmoved: z.array(z.object(counterPlace).strict()).optional()
    .describe('Counters elsewhere that must not move meanwhile: a path that avoids them (the network node\'s tunnel flows stay flat while the computes route between themselves).'),
}).strict();

/** A figure measured between two VMs (seed 003's comparison): it passes when it could be measured. */
const MeasureProbe = z.object({
  kind: z.literal('measure'),
  metric: z.enum(['rtt', 'throughput']).describe('rtt: the average of 10 pings. throughput: iperf3 (TCP) from one VM to the other.'),
  from: z.object({ vm }).strict(), to: vm,
  seconds: z.number().min(1).max(10).default(1).describe('How long iperf3 sends (throughput).'),
  reference: z.string().optional().describe('A published figure to show beside the measured one, e.g. "seed 003: 1.124 ms".'),
}).strict();

/** An easyOVS action the learner ran on a node (the CLI's `neutron-lab ovs` or the inspector's), since boot or reset. */
const EasyOvsCheck = z.object({
  kind: z.literal('easyovs'), node,
  action: z.enum(EASYOVS_ACTIONS).describe('list, show, dump, addflow, delflow or ipt.'),
  bridge: z.string().min(1).max(15).optional().describe('The bridge it ran on (show, dump, addflow, delflow).'),
  address: Ipv4Schema.optional().describe('ipt: a VM address it was asked about.'),
  table: flowSelector.table, priority: flowSelector.priority,
  match: flowSelector.match.describe('addflow, delflow: a flow it added or deleted must match these fields (compared by meaning, as in a flow check). solve adds "table,priority,match,actions" as given.'),
  actions: flowSelector.actions,
}).strict();

/** A service stopped while a check runs: what a failover must survive. */
const OutageCheck = z.object({
  kind: z.literal('outage'), vm: vm.describe('The VM whose web server (cloud.vms.*.http) stops for the check.'),
  checks: z.array(z.lazy(() => z.discriminatedUnion('kind', [PingProbe, TcpProbe, HttpProbe, CommandCheck]))).min(1)
    .describe('What must all hold while it is down (asked again for up to 4 s: monitors take time to notice); the server starts again after.'),
}).strict();

export type Check =
  | z.infer<typeof BridgeCheck> | z.infer<typeof PortCheck> | z.infer<typeof FlowCheck> | z.infer<typeof IptablesCheck>
  | z.infer<typeof NamespaceCheck> | z.infer<typeof AddressCheck> | z.infer<typeof LinkCheck> | z.infer<typeof RouteCheck> | z.infer<typeof IpRuleCheck>
  | z.infer<typeof NeighbourCheck> | z.infer<typeof ProcessCheck> | z.infer<typeof PingProbe> | z.infer<typeof TcpProbe>
  | z.infer<typeof HttpProbe> | z.infer<typeof DhcpProbe> | z.infer<typeof TraceCheck> | z.infer<typeof CommandCheck>
  | z.infer<typeof CounterCheck> | z.infer<typeof CaptureCheck> | z.infer<typeof OutageCheck> | z.infer<typeof MeasureProbe> | z.infer<typeof EasyOvsCheck>
  | { kind: 'all'; of: Check[] } | { kind: 'any'; of: Check[] } | { kind: 'not'; check: Check };

export const CheckSchema: z.ZodType<Check> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    BridgeCheck, PortCheck, FlowCheck, IptablesCheck, NamespaceCheck, AddressCheck, LinkCheck, RouteCheck, IpRuleCheck,
    NeighbourCheck, ProcessCheck, PingProbe, TcpProbe, HttpProbe, DhcpProbe, TraceCheck, CommandCheck, CounterCheck, CaptureCheck, OutageCheck, MeasureProbe, EasyOvsCheck,
    z.object({ kind: z.literal('all'), of: z.array(CheckSchema).min(1) }).strict(),
    z.object({ kind: z.literal('any'), of: z.array(CheckSchema).min(1) }).strict(),
    z.object({ kind: z.literal('not'), check: CheckSchema }).strict(),
  ]),
) as z.ZodType<Check>;

export type CheckKind = Check['kind'];
export type Place = z.infer<typeof PlaceSchema>;
export type Traffic = z.infer<typeof TrafficSchema>;

/** Kinds that send traffic or run something (the rest only read the snapshot). */
export const ACTIVE_KINDS: ReadonlySet<CheckKind> = new Set(['ping', 'tcp', 'http', 'dhcp', 'trace', 'command', 'counter', 'capture', 'outage', 'measure']);
