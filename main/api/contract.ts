import { z } from 'zod';
import { LAB_ID_PATTERN, LAB_ID_RULE } from '../core/lab/lab-id';
import { SESSION_NAME_PATTERN } from '../core/session/session-name';
import { CAPTURE_LIMIT, type CapturedPacket, type DecodedPacket, type FollowResult } from '../core/capture/types';
import type { OvsResult } from '../core/easyovs/types';
import type { AppErrorJson, LocatedProblem } from '../core/errors';
import type { PacketTrace } from '../core/inspect/trace/parse';
import type { SnapshotDiff } from '../core/inspect/snapshot/diff';
import type { NodeSnapshot } from '../core/inspect/snapshot/types';
import type { WalkResult } from '../core/check/walk-types';
import type { CheckReport, Credit, ExploreResult, ResetResult, SolveResult } from '../core/run/results';
import type { ProgressEvent } from '../core/progress';
import type { BootEvent } from '../core/session/boot-events';
import type { LiveCheck, StudentRecord } from '../core/workshop/records';

/**
 * The one contract between the UI and the back end. Both transports — Electron IPC and
 * WebSocket — carry exactly these methods and events, and the renderer never knows which it has.
 *
 * This module is "common" code: data shapes and parameter schemas only, nothing from Node or
 * Electron (the types it names come from pure modules), so the renderer can import it.
 * Parameters are validated with these schemas where they enter the back end.
 */

const session = z.string().regex(SESSION_NAME_PATTERN, 'a session name');
/** A VM's packet, for follow and walk: from a VM of the session to an address or another VM. */
const vmPacket = z
  .object({
    session,
    from: z.string().min(1).max(64),
    to: z.string().min(1).max(64),
    proto: z.enum(['icmp', 'tcp', 'http']).default('icmp'),
    port: z.number().int().min(1).max(65535).optional(),
  })
  .strict();
const node = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a node name');
/** Through the API a lab is always an id, resolved inside the labs folder: never a path. */
const labRef = z.string().regex(LAB_ID_PATTERN, LAB_ID_RULE);
const language = z.enum(['en', 'zh']).default('en');
const namespace = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a namespace name');
const size = z.number().int().min(1).max(1000);
const bridge = z.string().min(1).max(15);
const ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address');
const iface = z.string().regex(/^[A-Za-z0-9_.:@-]{1,32}$/, 'an interface name');

/** easyOVS's actions (book §easyOVS), as the inspector runs them. */
const ovsRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('list') }).strict(),
  z.object({ action: z.literal('show'), bridge }).strict(),
  z.object({ action: z.literal('dump'), bridge }).strict(),
  z.object({ action: z.literal('addflow'), bridge, flow: z.string().min(1).max(2000) }).strict(),
  z.object({ action: z.literal('delflow'), bridge, ids: z.array(z.number().int().min(0)).min(1).max(100) }).strict(),
  z.object({ action: z.literal('ipt'), addresses: z.array(ipv4).min(1).max(20) }).strict(),
]);

export const methodParams = {
  /** Engine, node image and desktop facts, for the home screen's environment panel. */
  'environment.status': z.object({}).strict(),
  /** Builds the node image; progress arrives as `image.progress` events. */
  'image.build': z.object({ force: z.boolean().default(false) }).strict(),
  'labs.list': z.object({ language }).strict(),
  /** A lab with its steps, guides (Markdown) and objectives, in one language. */
  'labs.get': z.object({ lab: labRef, language }).strict(),
  'sessions.list': z.object({}).strict(),
  /** Boots a lab; per-node progress arrives as `lab.boot` events. */
  'lab.up': z.object({ lab: labRef, name: session.optional() }).strict(),
  'lab.check': z.object({ session, objectives: z.array(z.string()).optional(), language }).strict(),
  'lab.solve': z.object({ session, step: z.number().int().min(1).optional(), language }).strict(),
  'lab.reset': z.object({ session, another: z.boolean().default(false) }).strict(),
  'lab.down': z.object({ session }).strict(),
  /** Boots a lab again from scratch under its name, for the same student: a broken lab's one click. */
  'lab.restart': z.object({ session }).strict(),
  /** The next hint of an objective in this session (hints start afresh in each session of a lab). */
  'lab.hint': z.object({ session, objective: z.string().min(1), language }).strict(),
  /** A node's whole data plane; with `diff`, also what changed since this client's last diffing snapshot of it. */
  'node.snapshot': z.object({ session, node, diff: z.boolean().default(false) }).strict(),
  'node.trace': z.object({ session, node, bridge, flow: z.string().min(1).max(2000) }).strict(),
  /** An easyOVS action on a node: list, show, dump, addflow, delflow, ipt. Recorded on the node for the easyOVS tour. */
  'node.ovs': z.object({ session, node, request: ovsRequest }).strict(),
  /**
   * Captures the packets on an interface of a node (or of a namespace in it): they arrive in
   * `capture.packets` events, a batch at most every 100 ms. It ends by itself at CAPTURE_LIMIT
   * packets or after CAPTURE_SECONDS. Answers once tcpdump listens; a wrong interface, namespace
   * or filter fails the call.
   */
  'capture.start': z.object({ session, node, namespace: namespace.optional(), iface, filter: z.string().max(500).optional() }).strict(),
  /** Ends a capture (or takes one that reached its limit): the packets as a pcapng file, base64. */
  'capture.stop': z.object({ id: z.string() }).strict(),
  /** Packet `number` (from 1) of a running or just stopped capture of this connection, as Wireshark's tree of its layers. */
  'capture.decode': z.object({ id: z.string(), number: z.number().int().min(1).max(CAPTURE_LIMIT) }).strict(),
  /**
   * Sends one probe from a VM of the session (to an address or another VM) and follows it: every
   * interface of every node captures meanwhile, and the copies of the probe come back in time order.
   */
  'capture.follow': vmPacket,
  /**
   * The way the flows, security groups and routers would send a VM's packet (to an address or
   * another VM): ofproto/trace bridge by bridge, node after node, with the iptables chains and
   * routes it meets on the way. Nothing is sent.
   */
  'lab.walk': vmPacket,
  /**
   * Explore mode: an `openstack` command line (without the word openstack), or a legacy
   * `neutron VERB …` one, against the session's cloud; the agents render what it changed (with
   * `diff`, each changed node's snapshot diff too). Refused for a lab that leaves parts to the learner.
   */
  'lab.openstack': z.object({ session, argv: z.array(z.string().max(4096)).min(1).max(256), diff: z.boolean().default(false) }).strict(),
  /** Writes a sandbox session's cloud as a new lab file in the labs folder (the owner's: it writes lab files). */
  'lab.saveAsLab': z.object({ session, lab: labRef }).strict(),
  /** Opens a terminal in a node (or a namespace in it); output arrives as `terminal.data` events. */
  'terminal.open': z.object({ session, node, namespace: namespace.optional(), cols: size, rows: size }).strict(),
  'terminal.write': z.object({ id: z.string(), data: z.string().max(1024 * 1024) }).strict(),
  'terminal.resize': z.object({ id: z.string(), cols: size, rows: size }).strict(),
  /** Flow control: the client has drawn this many characters of output. */
  'terminal.ack': z.object({ id: z.string(), chars: z.number().int().min(0) }).strict(),
  'terminal.close': z.object({ id: z.string() }).strict(),
  /** The terminals open in a session (anyone's), to watch. */
  'terminal.list': z.object({ session }).strict(),
  /** Watches a terminal live (the instructor's): its output arrives as `terminal.data` under a watch id of one's own; with `control`, typing goes to it. */
  'terminal.watch': z.object({ id: z.string(), control: z.boolean().default(false) }).strict(),
  'labfile.read': z.object({ lab: labRef }).strict(),
  'labfile.validate': z.object({ text: z.string().max(1024 * 1024), lab: labRef.optional() }).strict(),
  /** Saves a lab file; refused (nothing written) while it has errors. */
  'labfile.save': z.object({ lab: labRef, text: z.string().max(1024 * 1024) }).strict(),
  /** A workshop's class at a glance (the instructor's): every student, their labs, objectives and sessions. */
  'workshop.status': z.object({}).strict(),
  /** The instructor's message to the class, a banner on every screen (empty text takes it down). */
  'workshop.broadcast': z.object({ text: z.string().max(500) }).strict(),
  /** A code that moves a student to another browser (a student's own; the instructor names the seat). */
  'workshop.rejoinCode': z.object({ student: z.string().max(8).optional() }).strict(),
} as const;

export type MethodName = keyof typeof methodParams;
export type MethodParams<M extends MethodName> = z.input<(typeof methodParams)[M]>;
/** The parameters as the back end receives them: validated, defaults filled in. */
export type MethodArgs<M extends MethodName> = z.output<(typeof methodParams)[M]>;

export interface ImageInfo {
  tag: string;
  present: boolean;
  image: { sizeBytes: number; created: string; builder: string | undefined } | undefined;
}

export interface EnvironmentStatus {
  engine: { ok: true; endpoint: string; version: string } | { ok: false; error: AppErrorJson };
  image: ImageInfo | undefined;
  desktop: { electron: boolean; detail: string };
  /** Who this connection is: the machine's owner, or in a workshop its instructor or a student (with their seat). */
  caller: { role: 'owner' | 'instructor' } | { role: 'student'; seat: string; name: string };
  /** In a workshop: the instructor's message to the class, while it stands. */
  broadcast?: BroadcastMessage;
}

export interface BroadcastMessage {
  text: string;
  at: string;
}

/** A lab as lists show it (lab/summary.ts, which the renderer cannot import), with the learner's progress. */
export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  level: 'beginner' | 'intermediate' | 'advanced';
  minutes: number;
  release: string;
  nodes: string[];
  networks: string[];
  /** A troubleshooting lab: it boots with one of this many faults to find (0 for a guided lab). */
  faults: number;
  /** An explore sandbox: no objectives; the OpenStack CLI changes its cloud. */
  sandbox: boolean;
  /** The learner's objectives done so far (some perhaps solved for them), of all of them. */
  progress: Credit;
  /** Set when the stored progress could not be used (damaged, moved aside): say so, never show 0 silently. */
  progressNotice?: string;
}

export interface LabDetail extends LabSummary {
  steps: {
    id: string;
    title: string;
    /** The step's guide, Markdown (untrusted: the renderer sanitises it). */
    guide: string;
    objectives: { id: string; title: string; given: boolean; hints: number }[];
  }[];
  /** The VMs, for terminals and probes: node and namespace of each. */
  vms: { name: string; node: string; address: string }[];
  /** Where the learner was, by the last check (0-based; the step count when all is done). */
  currentStep: number;
}

export interface SessionSummary {
  name: string;
  lab: string;
  state: 'running' | 'booting' | 'broken';
  problems: string[];
  /** `exit`: how a stopped node ended, e.g. "exited 137 (out of memory)". */
  nodes: { name: string; role: string; state: string; exit?: string; links: { interface: string; network: string; address?: string }[] }[];
  /** The lab file changed since this session booted: it still runs the copy it was booted from (restart to take the file). */
  stale?: boolean;
}

export interface MethodResults {
  'environment.status': EnvironmentStatus;
  'image.build': { tag: string; builder: string | undefined; seconds: number };
  'labs.list': { labs: LabSummary[]; broken: { id: string; error: AppErrorJson }[] };
  'labs.get': LabDetail;
  'sessions.list': { sessions: SessionSummary[] };
  'lab.up': SessionSummary;
  'lab.check': CheckReport;
  'lab.solve': SolveResult;
  'lab.reset': ResetResult;
  'lab.down': { containers: number; networks: number };
  'lab.restart': SessionSummary;
  'lab.hint': { hint: string; number: number; total: number };
  'node.snapshot': { snapshot: NodeSnapshot; diff?: SnapshotDiff };
  'node.trace': PacketTrace;
  'node.ovs': OvsResult;
  'capture.start': { id: string };
  /** `dropped`: packets the kernel dropped before tcpdump could take them (a flood), as tcpdump counts them. */
  'capture.stop': { packets: number; dropped: number; name: string; pcapng: string };
  'capture.decode': DecodedPacket;
  'capture.follow': FollowResult;
  'lab.walk': WalkResult;
  'lab.openstack': ExploreResult;
  'lab.saveAsLab': { path: string; problems: LocatedProblem[] };
  'terminal.open': { id: string };
  'terminal.write': Record<string, never>;
  'terminal.resize': Record<string, never>;
  'terminal.ack': Record<string, never>;
  'terminal.close': Record<string, never>;
  'terminal.list': { terminals: TerminalInfo[] };
  'terminal.watch': { id: string; scrollback: string; terminal: TerminalInfo };
  'labfile.read': { path: string; text: string };
  'labfile.validate': { problems: LocatedProblem[] };
  'labfile.save': { path: string; problems: LocatedProblem[] };
  'workshop.status': WorkshopStatus;
  'workshop.broadcast': { message: BroadcastMessage | null };
  'workshop.rejoinCode': { student: string; name: string; code: string; expiresAt: string };
}

/** Events the back end pushes to the client that caused them. */
/** A terminal open on the server, as the instructor picks one to watch. */
export interface TerminalInfo {
  id: string;
  session: string;
  node: string;
  namespace?: string;
  /** Who opened it: a student's name and seat, or "instructor" / "owner". */
  by: string;
  openedAt: string;
}

export interface WorkshopStatus {
  title: string;
  labs: string[];
  seats: number;
  joinCode: string;
  /** Each student's running labs, with what their latest checks found (the background round's included). */
  students: (StudentRecord & {
    sessions: {
      name: string;
      lab: string;
      state: SessionSummary['state'];
      live?: LiveCheck;
      /** A troubleshooting lab's drawn fault (its name and title: the instructor's to know, not the student's). */
      fault?: { name: string; title: string };
    }[];
  })[];
}

export interface EventPayloads {
  'image.progress': ProgressEvent;
  'lab.boot': BootEvent & { session: string };
  'capture.packets': { id: string; packets: CapturedPacket[] };
  /** A capture ended without a stop: a limit reached (which one), or an error. */
  'capture.end': { id: string; error?: AppErrorJson; limit?: 'count' | 'time' };
  /** `skipped`: a watcher's copy only — output left out before `data` while the watcher's view was behind. */
  'terminal.data': { id: string; data: string; skipped?: number };
  'terminal.exit': { id: string; code: number | null };
  /** To every window or tab of a workshop: the instructor's banner, or null when taken down. */
  'workshop.message': { message: BroadcastMessage | null };
  /** To the instructor: what the checks of a student's lab found has changed (the class view reads again). */
  'workshop.changed': { session: string };
  /** To a client with a terminal on a sandbox's controller: a call made there, and what it did (each node's diff included). */
  'explore.call': { session: string; argv: string[]; result: ExploreResult };
}
export type EventName = keyof EventPayloads;
/** What a call returns on every transport: a result, or the error as a structured value. */
export type Reply<M extends MethodName = MethodName> = { ok: true; result: MethodResults[M] } | { ok: false; error: AppErrorJson };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methodParams, name);
}
