import { ParseError } from '../parse-error';
import { findClosing } from '../scan';

/**
 * `ovs-appctl ofproto/trace BRIDGE FLOW` read as the packet's walk: each bridge it passes
 * (patch ports included), each table it hits with the flow that matched and its actions, the
 * notes OVS adds (`-> output to native tunnel`), and where it ends — the datapath actions,
 * with any tunnel it leaves by, its endpoints and its tunnel id.
 */

export interface TraceStep {
  bridge: string;
  table: number;
  /** The matched flow's match (without its priority), or undefined when nothing matched. */
  match?: string;
  priority?: number;
  cookie?: string;
  actions: string[];
  /** OVS's commentary: "no learned MAC for destination, flooding", "output to native tunnel", … */
  notes: string[];
  /** Resubmit nesting depth (0 for the bridge's first table). */
  depth: number;
}

export interface TraceTunnel {
  type: string;
  source?: string;
  destination?: string;
  /** The key (GRE) or VNI (VXLAN, Geneve), as OVS prints it (hex). */
  tunnelId?: string;
}

export interface PacketTrace {
  flow: string;
  steps: TraceStep[];
  bridges: string[];
  finalFlow?: string;
  megaflow?: string;
  datapathActions: string;
  /** `drop` when the datapath actions are empty or "drop". */
  dropped: boolean;
  tunnels: TraceTunnel[];
}

export function parseTrace(text: string, source = '<input>'): PacketTrace {
  const lines = text.split(/\r?\n/);
  const trace: PacketTrace = { flow: '', steps: [], bridges: [], datapathActions: '', dropped: false, tunnels: [] };
  let bridge: string | undefined;
  let step: TraceStep | undefined;
  let stepIndent = 0;
  let sawDatapath = false;

  lines.forEach((raw, index) => {
    const line = raw.trimEnd();
    const trimmed = line.trim();
    const fail = (message: string): never => {
      throw new ParseError('a packet trace', index + 1, raw.length - raw.trimStart().length + 1, message, source);
    };
    if (trimmed === '' || /^-+$/.test(trimmed)) return;
    const field = /^(Flow|Final flow|Megaflow|Datapath actions): ?(.*)$/.exec(trimmed);
    if (field) {
      step = undefined;
      const [, name, value = ''] = field;
      if (name === 'Flow') trace.flow ||= value;
      else if (name === 'Final flow') trace.finalFlow = value;
      else if (name === 'Megaflow') trace.megaflow = value;
      else {
        trace.datapathActions = value;
        sawDatapath = true;
      }
      return;
    }
    const bridgeHeader = /^bridge\("(.+)"\)$/.exec(trimmed);
    if (bridgeHeader) {
      bridge = bridgeHeader[1] as string;
      if (!trace.bridges.includes(bridge)) trace.bridges.push(bridge);
      step = undefined;
      return;
    }
    const stepHeader = /^(\s*)(\d+)\. (.*)$/.exec(line);
    if (stepHeader) {
      if (bridge === undefined) fail('a table step before any bridge("…") header');
      const indent = (stepHeader[1] ?? '').length;
      step = {
        bridge: bridge as string,
        table: Number(stepHeader[2]),
        actions: [],
        notes: [],
        depth: Math.max(0, Math.round((indent - 1) / 8)),
      };
      stepIndent = indent;
      describeStep(step, stepHeader[3] ?? '');
      trace.steps.push(step);
      return;
    }
    if (trimmed.startsWith('->') || trimmed.startsWith('>>')) {
      step?.notes.push(trimmed.slice(2).trim());
      return;
    }
    if (step && line.length - line.trimStart().length > stepIndent) {
      step.actions.push(trimmed);
      return;
    }
    // Other commentary (older OVS: "Resubmitted flow: …", "Rule: …") stays out of the steps.
  });

  if (!trace.flow) throw new ParseError('a packet trace', 1, 1, 'it has no "Flow:" line (is this ofproto/trace output?)', source);
  if (!sawDatapath) throw new ParseError('a packet trace', lines.length, 1, 'it has no "Datapath actions:" line (truncated?)', source);
  trace.dropped = trace.datapathActions === '' || trace.datapathActions === 'drop';
  trace.tunnels = tunnelsOf(trace.datapathActions);
  return trace;
}

/** "in_port=1, priority 1, cookie 0x5" / "priority 0" / "No match." */
function describeStep(step: TraceStep, text: string): void {
  if (/^No match/i.test(text)) return;
  const parts = text.split(', ');
  const match: string[] = [];
  for (const part of parts) {
    const priority = /^priority (\d+)$/.exec(part);
    const cookie = /^cookie (\S+)$/.exec(part);
    if (priority) step.priority = Number(priority[1]);
    else if (cookie) step.cookie = cookie[1] as string;
    else match.push(part);
  }
  step.match = match.join(',');
}

/**
 * Tunnels pushed by the datapath: `tnl_push(tnl_port(2),header(…,ipv4(src=…,dst=…,proto=47,…),
 * gre((flags=0x2000,proto=0x6558),key=0x1)),out_port(6))`, or `…,udp(…),vxlan(flags=…,vni=0x3e9)`.
 */
function tunnelsOf(actions: string): TraceTunnel[] {
  const tunnels: TraceTunnel[] = [];
  let at = actions.indexOf('tnl_push(');
  while (at >= 0) {
    const end = findClosing(actions, at + 'tnl_push'.length);
    const push = actions.slice(at, end < 0 ? actions.length : end + 1);
    const ipv4 = /ipv4\(src=([^,]+),dst=([^,)]+)/.exec(push) ?? /ipv6\(src=([^,]+),dst=([^,)]+)/.exec(push);
    const gre = /gre\(.*?key=(0x[0-9a-f]+)/i.exec(push);
    const vni = /(vxlan|geneve)\(.*?vni=(0x[0-9a-f]+)/i.exec(push);
    const type = gre || /\bgre\(/.test(push) ? 'gre' : vni ? (vni[1] as string) : /\bvxlan\(/.test(push) ? 'vxlan' : 'unknown';
    tunnels.push({
      type,
      ...(ipv4 ? { source: ipv4[1] as string, destination: ipv4[2] as string } : {}),
      ...(gre ? { tunnelId: gre[1] as string } : vni ? { tunnelId: vni[2] as string } : {}),
    });
    at = actions.indexOf('tnl_push(', at + 1);
  }
  return tunnels;
}
