import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodePackets } from '../core/capture/decoder';
import { CaptureHost } from '../core/capture/host';
import { connectEngine, type Engine } from '../core/docker/engine';
import { execArgv, inNamespace } from '../core/docker/exec';
import { runOvsAction } from '../core/easyovs/actions';
import { serveExploreApi, watchTerminalCalls } from '../core/run/explore-api';
import { ovsTarget } from '../core/run/ovs-target';
import { AppError, toAppError } from '../core/errors';
import { electronBinary } from '../core/desktop';
import { buildNodeImage, imageStatus } from '../core/image/node-image';
import { diffSnapshots } from '../core/inspect/snapshot/diff';
import { collectSnapshot } from '../core/inspect/snapshot/snapshot';
import type { NodeSnapshot } from '../core/inspect/snapshot/types';
import { traceInNode } from '../core/inspect/trace/run';
import { labFileOf, resolveLabById } from '../core/lab/catalog';
import { summarizeLab } from '../core/lab/summary';
import { CatalogCache } from '../core/lab/catalog-cache';
import { labFileChanged, labOfSession, runningLab } from '../core/run/running-lab';
import { checkLab, exploreLab, followInLab, resetLab, solveLab, startLab, takeHint, walkInLab } from '../core/run';
import { sandboxAsLab } from '../core/explore/as-lab';
import { lintLab, type LoadedLab } from '../core/lab/load';
import { creditOf } from '../core/run/credit';
import { emptyProgress, ProgressStore, type ProgressRead } from '../core/run/progress-store';
import { textIn, type Language } from '../core/lab/schema';
import { labsDir } from '../core/paths';
import { listSessions, requireNode, requireSession, studentOfSession, type SessionStatus } from '../core/session/sessions';
import { BootQueue } from '../core/session/boot-queue';
import { removeSessionsNamed } from '../core/session/teardown';
import { TerminalHost } from '../core/terminal/terminals';
import { studentProgressDir, workshopRecords } from '../core/workshop/results';
import { LiveChecks } from '../core/workshop/live-checks';
import type { Workshop } from '../core/workshop/workshop';
import { ACCESS, decide, type Caller, type Subject } from './access';
import {
  isMethodName,
  methodParams,
  type EventName,
  type BroadcastMessage,
  type EnvironmentStatus,
  type EventPayloads,
  type LabDetail,
  type LabSummary,
  type MethodArgs,
  type MethodName,
  type MethodResults,
  type Reply,
} from './contract';
import { SharedTerminals } from './shared-terminals';

/**
 * Calls by which a student (or the instructor for them) changes a lab: the background checks
 * look at it soon, as at a command entered in its terminals. A boot is not one: thirty labs
 * started together would queue ahead of the first student's command; the full round finds them.
 */
const CHANGES_A_LAB: ReadonlySet<MethodName> = new Set(['lab.solve', 'lab.reset', 'node.ovs', 'lab.openstack']);

/**
 * The back end behind the contract: one ApiService per app or server process, and one Client
 * per connected window or browser tab. A client's terminals and its last snapshots belong to
 * it, and go when it disconnects; events go only to the client whose call caused them.
 */

type Emit = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

type Handlers = { [M in MethodName]: (params: MethodArgs<M>) => Promise<MethodResults[M]> };

export class ApiService {
  private engine: Promise<Engine> | undefined;
  readonly progress: ProgressStore;
  /** The labs folder: every lab the API names is an id resolved inside it. */
  readonly labsDir: string;
  /** The parsed catalogue, re-read only when a file in the labs folder changes. */
  readonly catalog: CatalogCache;

  /** In a workshop: its labs, seats and students (and each student's own progress, under `workshopDir`). */
  readonly workshop: { workshop: Workshop; dir: string } | undefined;
  private readonly studentProgress = new Map<string, ProgressStore>();
  /** In a workshop: what the latest checks of each running student lab found, for the class view. */
  readonly live = new LiveChecks((session) => {
    // The instructor's class view reads again at once; students see only their own checks.
    for (const client of this.clients) if (client.caller.role === 'instructor') client.notify('workshop.changed', { session });
  });
  /** In a workshop: the instructor's broadcast, shown as a banner to every student until cleared. */
  private message: BroadcastMessage | undefined;
  /** Every open terminal, for the instructor to watch or take over. */
  readonly sharedTerminals = new SharedTerminals();
  /** Labs boot a few at a time: a class pressing Start together would otherwise miss its deadlines. */
  readonly boots = new BootQueue();
  /** Every connected window or tab, for broadcasts. */
  private readonly clients = new Set<Client>();

  constructor(
    private readonly options: {
      dockerHost?: string;
      progress?: ProgressStore;
      labsDir?: string;
      workshop?: { workshop: Workshop; dir: string };
    } = {},
  ) {
    this.progress = options.progress ?? new ProgressStore();
    this.labsDir = options.labsDir ?? labsDir();
    this.catalog = new CatalogCache(this.labsDir);
    this.workshop = options.workshop;
  }

  /** The label a student's labs carry: their seat in this workshop (seats repeat across workshops on one engine). */
  studentLabel(seat: string): string {
    return `${this.workshop?.workshop.id ?? 'none'}:${seat}`;
  }

  /** Whose progress a caller reads and writes: a student's is their own, kept with the workshop. */
  progressOf(caller: Caller): ProgressStore {
    if (caller.role !== 'student' || !this.workshop) return this.progress;
    let store = this.studentProgress.get(caller.id);
    if (!store) this.studentProgress.set(caller.id, (store = new ProgressStore(studentProgressDir(this.workshop.dir, caller.id))));
    return store;
  }

  /** Students whose `lab.up` is running: one at a time each. */
  private readonly starting = new Set<string>();

  /**
   * A student runs one lab at a time, so a class of thirty needs thirty labs' memory, not sixty:
   * a second lab is refused while one of theirs is up or starting (the same name is `up`'s own
   * refusal, or its replacement of a broken lab).
   */
  async oneLabAtATime<T>(seat: string, session: string, start: () => Promise<T>): Promise<T> {
    if (this.starting.has(seat)) throw new AppError('state', 'Your lab is still starting: wait for it before starting another.');
    this.starting.add(seat);
    try {
      const label = this.studentLabel(seat);
      const other = (await this.studentSessions()).find((s) => s.student === label && s.name !== session);
      if (other) {
        throw new AppError(
          'state',
          `You already have a lab up: ${other.lab} (${other.name}). Stop it to start another: one lab at a time in a workshop.`,
        );
      }
      return await start();
    } finally {
      this.starting.delete(seat);
    }
  }

  /** Connects on first use and again after a failure (the user may start the engine meanwhile). */
  connectEngine(): Promise<Engine> {
    this.engine ??= connectEngine({ endpoint: this.options.dockerHost }).catch((error: unknown) => {
      this.engine = undefined;
      throw error;
    });
    return this.engine;
  }

  /** A connected window or tab, and who is behind it (the owner unless a workshop says otherwise). */
  client(emit: Emit, caller: Caller = { role: 'owner' }): Client {
    const client = new Client(this, emit, caller, () => this.clients.delete(client));
    this.clients.add(client);
    return client;
  }

  get broadcast(): BroadcastMessage | undefined {
    return this.message;
  }

  /** Sets (or, with empty text, clears) the banner, and tells every connected window or tab at once. */
  setBroadcast(text: string): BroadcastMessage | undefined {
    this.message = text.trim() ? { text: text.trim(), at: new Date().toISOString() } : undefined;
    for (const client of this.clients) client.notify('workshop.message', { message: this.message ?? null });
    return this.message;
  }

  /** The running labs of this workshop's students (another workshop's on the same engine are not theirs). */
  async studentSessions(): Promise<SessionStatus[]> {
    const prefix = `${this.workshop?.workshop.id ?? 'none'}:`;
    return (await listSessions(await this.connectEngine())).filter((s) => s.student?.startsWith(prefix));
  }

  /** A background round over the students' running labs (those named, when given; state only); each checked lab's milliseconds. */
  async checkRound(only?: readonly string[]): Promise<number[]> {
    const [sessions, catalog] = await Promise.all([this.studentSessions(), this.catalog.read()]);
    return this.live.round(await this.connectEngine(), sessions, catalog.labs, only);
  }

  /** In a workshop, starts the background checks (the class view is live without anyone pressing Check). */
  startBackgroundChecks(intervalMs?: number): void {
    if (!this.workshop) return;
    const running = async () => (await this.studentSessions()).filter((s) => s.state === 'running').map((s) => s.name);
    this.live.start({ check: (only) => this.checkRound(only), running }, intervalMs);
  }

  /** In a workshop, a student's lab was acted in: the background checks look at it soon. */
  touched(session: string): void {
    if (this.workshop) this.live.touch(session);
  }

  stopBackgroundChecks(): Promise<void> {
    return this.live.stop();
  }

  /**
   * A lab's stored progress, never failing: a progress file that cannot even be set aside is that
   * lab's notice, not the whole catalogue's error.
   */
  async readProgress(lab: string, store: ProgressStore = this.progress): Promise<ProgressRead> {
    try {
      return await store.read(lab);
    } catch (error) {
      return { progress: emptyProgress(lab), problem: `The progress of ${lab} could not be read: ${toAppError(error).message}` };
    }
  }

  /** A lab's card: its summary and the learner's progress (read here unless the caller has it). */
  async labSummary(
    loaded: LoadedLab,
    language: Language,
    stored?: ProgressRead,
    store: ProgressStore = this.progress,
  ): Promise<LabSummary> {
    const read = stored ?? (await this.readProgress(loaded.lab.id, store));
    return {
      ...summarizeLab(loaded, language),
      progress: creditOf(loaded.lab, read.progress),
      ...(read.problem ? { progressNotice: read.problem } : {}),
    };
  }
}

export class Client {
  private readonly terminals: TerminalHost;
  private readonly captures: CaptureHost;
  /** The last snapshot of each node this client asked for, for "what changed". */
  private readonly lastSnapshots = new Map<string, NodeSnapshot>();

  /** Where this caller's progress is kept. */
  private readonly progress: ProgressStore;
  /** The session each of this connection's terminals is in (a command entered there may change it). */
  private readonly terminalSessions = new Map<string, string>();
  /** The other connections' terminals this one watches, by watch id. */
  private readonly watching = new Set<string>();
  /** Sandboxes whose controller terminal this client opened: their calls are told to it (how to stop). */
  private readonly terminalCalls = new Map<string, () => void>();
  private readonly watcher = {
    data: (id: string, data: string, skipped?: number) => this.emit('terminal.data', { id, data, ...(skipped ? { skipped } : {}) }),
    exit: (id: string, code: number | null) => {
      this.watching.delete(id);
      this.emit('terminal.exit', { id, code });
    },
  };

  constructor(
    private readonly service: ApiService,
    private readonly emit: Emit,
    readonly caller: Caller,
    private readonly onClose: () => void = () => undefined,
  ) {
    this.progress = service.progressOf(caller);
    this.captures = new CaptureHost(
      {
        packets: (id, packets) => emit('capture.packets', { id, packets }),
        ended: (id, end) => emit('capture.end', { id, ...end }),
      },
      async (pcap, range) => decodePackets(await this.engine(), pcap, range),
    );
    this.terminals = new TerminalHost({
      data: (id, data) => {
        emit('terminal.data', { id, data });
        service.sharedTerminals.output(id, data);
        // What a command prints (its prompt coming back) says the lab may have changed.
        const session = this.terminalSessions.get(id);
        if (session) service.touched(session);
      },
      exit: (id, code) => {
        emit('terminal.exit', { id, code });
        service.sharedTerminals.ended(id, code);
        this.terminalSessions.delete(id);
      },
    });
  }

  /** Validates and runs one call; never throws. */
  async dispatch(method: unknown, params: unknown): Promise<Reply<MethodName>> {
    try {
      if (!isMethodName(method)) throw new AppError('usage', `Unknown method ${JSON.stringify(method)}.`);
      const parsed = methodParams[method].safeParse(params ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AppError('input', `Bad parameters for ${method}: ${issue?.path.join('.') || 'params'}: ${issue?.message}`);
      }
      await this.authorize(method, parsed.data as Record<string, unknown>);
      const handler = this.handlers[method] as (p: unknown) => Promise<MethodResults[MethodName]>;
      const result = await handler(parsed.data);
      if (CHANGES_A_LAB.has(method)) {
        this.service.touched((parsed.data as { session: string }).session);
      }
      return { ok: true, result };
    } catch (error) {
      return { ok: false, error: toAppError(error).toJSON() };
    }
  }

  /** The access rule of the method, applied to this caller and what the call names. */
  private async authorize(method: MethodName, params: Record<string, unknown>): Promise<void> {
    if (this.caller.role === 'owner') return;
    const rule = ACCESS[method];
    const subject: Subject = {};
    if (rule === 'lab') {
      subject.lab = params.lab as string;
      subject.workshopLabs = this.service.workshop?.workshop.labs ?? [];
    }
    if (rule === 'session' && this.caller.role === 'student') {
      subject.session = params.session as string;
      subject.sessionIsCallers =
        (await studentOfSession(await this.engine(), subject.session)) === this.service.studentLabel(this.caller.id);
    }
    if (rule === 'seat') subject.seat = params.student as string | undefined;
    const verdict = decide(this.caller, rule, subject);
    if (!verdict.ok) throw new AppError(verdict.code, verdict.why);
  }

  /** A student's sessions are theirs alone: named after their seat, labelled with it. */
  private sessionNameFor(lab: string, name: string | undefined): string {
    const wanted = name ?? lab;
    if (this.caller.role !== 'student') return wanted;
    const prefix = `${this.caller.id}-`;
    return wanted.startsWith(prefix) ? wanted : `${prefix}${wanted}`;
  }

  /** A break-fix lab in a workshop with a fault seed: the room's one fault (a seed draws the same for everyone). */
  private faultChoice(): { fault?: { seed: string } } {
    const seed = this.service.workshop?.workshop.faultSeed;
    return seed === undefined ? {} : { fault: { seed } };
  }

  /**
   * Whose progress a call on a session counts for: the student the session belongs to (the
   * instructor solving a step for a student solves it for them), else the caller's.
   */
  private async progressOfSession(name: string): Promise<ProgressStore> {
    if (!this.service.workshop || this.caller.role === 'student') return this.progress;
    const student = await studentOfSession(await this.engine(), name);
    const owner = this.service.workshop.workshop.students.find((s) => this.service.studentLabel(s.id) === student);
    return owner ? this.service.progressOf({ role: 'student', id: owner.id, name: owner.name }) : this.progress;
  }

  private closing: Promise<void> | undefined;

  /** The window or tab went away: its terminals close, their processes in the nodes ended. */
  close(): Promise<void> {
    this.onClose();
    for (const stop of this.terminalCalls.values()) stop();
    this.terminalCalls.clear();
    for (const id of this.watching) this.service.sharedTerminals.unwatch(id);
    this.watching.clear();
    for (const id of this.terminalSessions.keys()) this.service.sharedTerminals.ended(id, null);
    this.closing ??= Promise.all([this.terminals.closeAll(), this.captures.stopAll()]).then(() => undefined);
    return this.closing;
  }

  /** An event not caused by this client's own call (a broadcast). */
  notify<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    this.emit(event, payload);
  }

  private engine = () => this.service.connectEngine();

  /** Input for one of this connection's terminals (its owner's, or a watcher's who took it over). */
  private typeInto(id: string, data: string): void {
    this.terminals.write(id, data);
    const session = this.terminalSessions.get(id);
    if (session && /[\r\n]/.test(data)) this.service.touched(session);
  }

  private readonly handlers: Handlers = {
    'environment.status': async () => {
      const caller: EnvironmentStatus['caller'] =
        this.caller.role === 'student' ? { role: 'student', seat: this.caller.id, name: this.caller.name } : { role: this.caller.role };
      const broadcast = this.service.broadcast ? { broadcast: this.service.broadcast } : {};
      const electron = electronBinary();
      const desktop = electron.path
        ? { electron: true, detail: electron.path }
        : { electron: false, detail: electron.reason ?? 'unavailable' };
      try {
        const engine = await this.engine();
        return {
          engine: { ok: true, endpoint: engine.info.endpoint, version: engine.info.version },
          image: await imageStatus(engine),
          desktop,
          caller,
          ...broadcast,
        };
      } catch (error) {
        return { engine: { ok: false, error: toAppError(error).toJSON() }, image: undefined, desktop, caller, ...broadcast };
      }
    },
    'image.build': async ({ force }) => {
      const result = await buildNodeImage(await this.engine(), { force, onProgress: (event) => this.emit('image.progress', event) });
      return { tag: result.tag, builder: result.builder, seconds: result.seconds };
    },
    'labs.list': async ({ language }) => {
      const catalog = await this.service.catalog.read();
      // A student sees the workshop's labs, and nothing of the server's broken files.
      const student = this.caller.role === 'student';
      const offered = this.service.workshop?.workshop.labs ?? [];
      const labs = student ? catalog.labs.filter((l) => offered.includes(l.lab.id)) : catalog.labs;
      return {
        labs: await Promise.all(labs.map((l) => this.service.labSummary(l, language, undefined, this.progress))),
        broken: student ? [] : catalog.broken,
      };
    },
    'labs.get': async ({ lab, language }): Promise<LabDetail> => {
      const loaded = await resolveLabById(lab, this.service.labsDir);
      const read = await this.service.readProgress(loaded.lab.id, this.progress);
      const { progress } = read;
      const guide = async (step: string) => {
        for (const lang of [language, 'en'] as const) {
          try {
            return await readFile(join(loaded.dir, 'guide', lang, `${step}.md`), 'utf8');
          } catch {
            // fall back to English, then to nothing
          }
        }
        return '';
      };
      return {
        ...(await this.service.labSummary(loaded, language, read, this.progress)),
        steps: await Promise.all(
          loaded.lab.steps.map(async (step) => ({
            id: step.id,
            title: textIn(step.title, language),
            guide: await guide(step.id),
            objectives: step.objectives.map((o) => ({ id: o.id, title: textIn(o.title, language), given: o.given, hints: o.hints.length })),
          })),
        ),
        vms: Object.entries(loaded.lab.cloud.vms).map(([name, vm]) => ({ name, node: vm.node, address: vm.address })),
        currentStep: Math.min(progress.currentStep, loaded.lab.steps.length),
      };
    },
    'sessions.list': async () => {
      const all = await listSessions(await this.engine());
      const mine = this.caller.role === 'student' ? this.service.studentLabel(this.caller.id) : undefined;
      const sessions = mine === undefined ? all : all.filter((s) => s.student === mine);
      // stale is left out for a session without a pin (booted elsewhere): nothing to compare with.
      return { sessions: await Promise.all(sessions.map(async (s) => ({ ...s, ...withStale(await labFileChanged(s)) }))) };
    },
    'lab.up': async ({ lab, name }) => {
      const loaded = await resolveLabById(lab, this.service.labsDir);
      const session = this.sessionNameFor(loaded.lab.id, name);
      const start = async () =>
        this.service.boots.run(async () =>
          startLab(await this.engine(), loaded, {
            name: session,
            ...(this.caller.role === 'student' ? { student: this.service.studentLabel(this.caller.id) } : {}),
            ...this.faultChoice(),
            // Named as the caller asked (a student's session carries their seat in front): only that caller gets these events.
            onEvent: (event) => this.emit('lab.boot', { ...event, session: name ?? loaded.lab.id }),
          }),
        );
      return this.caller.role === 'student' ? this.service.oneLabAtATime(this.caller.id, session, start) : start();
    },
    'lab.check': async ({ session, objectives, language }) => {
      const report = await checkLab(await this.engine(), session, {
        store: await this.progressOfSession(session),
        language,
        ...(objectives ? { only: objectives } : {}),
      });
      if (this.service.workshop) this.service.live.record(session, report);
      return report;
    },
    'lab.solve': async ({ session, step, language }) =>
      solveLab(await this.engine(), session, {
        store: await this.progressOfSession(session),
        language,
        ...(step === undefined ? {} : { step }),
      }),
    'lab.reset': async ({ session, another }) => resetLab(await this.engine(), session, { another }),
    'lab.down': async ({ session }) => {
      const removed = await removeSessionsNamed(await this.engine(), session);
      if (removed.containers + removed.networks === 0) throw new AppError('state', `No lab is up under the name "${session}".`);
      return removed;
    },
    'lab.restart': async ({ session }) => {
      const engine = await this.engine();
      const existing = await requireSession(engine, session);
      const loaded = await resolveLabById(existing.lab, this.service.labsDir);
      // Whoever restarts it, it stays the student's: same name, same label.
      await removeSessionsNamed(engine, session);
      return this.service.boots.run(() =>
        startLab(engine, loaded, {
          name: session,
          ...(existing.student ? { student: existing.student } : {}),
          ...this.faultChoice(),
          onEvent: (event) => this.emit('lab.boot', { ...event, session }),
        }),
      );
    },
    'lab.hint': async ({ session, objective, language }) =>
      takeHint(await this.engine(), session, objective, await this.progressOfSession(session), language),
    'node.snapshot': async ({ session, node, diff }) => {
      const snapshot = await collectSnapshot(await requireNode(await this.engine(), session, node), node);
      if (!diff) return { snapshot };
      // Only diffing reads move the baseline: a topology or namespace poll in between must not
      // swallow what the learner's last command changed.
      const key = `${session}/${node}`;
      const previous = this.lastSnapshots.get(key);
      this.lastSnapshots.set(key, snapshot);
      return previous ? { snapshot, diff: diffSnapshots(previous, snapshot) } : { snapshot };
    },
    'node.trace': async ({ session, node, bridge, flow }) =>
      traceInNode(await requireNode(await this.engine(), session, node), bridge, flow),
    'node.ovs': async ({ session, node, request }) => runOvsAction(await ovsTarget(await this.engine(), session, node), request),
    'capture.start': async ({ session, node, namespace, iface, filter }) => {
      const container = await requireNode(await this.engine(), session, node);
      return { id: await this.captures.start(container, { node, iface, ...(namespace ? { netns: namespace } : {}) }, filter) };
    },
    'capture.stop': async ({ id }) => {
      const { packets, dropped, name, pcapng } = await this.captures.stop(id);
      return { packets, dropped, name, pcapng: pcapng.toString('base64') };
    },
    'capture.decode': async ({ id, number }) => this.captures.decodePacket(id, number),
    'capture.follow': async ({ session, from, to, proto, port }) =>
      followInLab(await this.engine(), session, { from, to, proto, ...(port === undefined ? {} : { port }) }),
    'lab.walk': async ({ session, from, to, proto, port }) =>
      walkInLab(await this.engine(), session, { from, to, proto, ...(port === undefined ? {} : { port }) }),
    'lab.openstack': async ({ session, argv, diff }) => exploreLab(await this.engine(), session, argv, { diff }),
    'lab.saveAsLab': async ({ session, lab }) => {
      const file = labFileOf(lab, this.service.labsDir);
      if (existsSync(file)) throw new AppError('input', `Not saved: a lab "${lab}" exists already (${file}); choose another id.`);
      const { loaded } = await runningLab(await this.engine(), session);
      if (!loaded.lab.sandbox)
        throw new AppError('input', `Session ${session} runs lab ${loaded.lab.id}, not a sandbox: its file is the lab already.`);
      const text = sandboxAsLab(loaded.lab, lab);
      const { problems } = lintLab(text, file);
      const errors = problems.filter((p) => p.severity === 'error');
      if (errors.length > 0)
        throw new AppError(
          'internal',
          `The sandbox's cloud did not make a valid lab: line ${errors[0]?.location.line}: ${errors[0]?.message}`,
        );
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      return { path: file, problems };
    },
    'terminal.open': async ({ session, node, namespace, cols, rows }) => {
      const container = await requireNode(await this.engine(), session, node);
      if (namespace) {
        // A clear error for a namespace that is not there (yet), instead of a terminal that dies.
        const exists = await execArgv(container, ['test', '-e', `/run/netns/${namespace}`]);
        if (exists.exitCode !== 0) throw new AppError('input', `Node ${node} has no network namespace "${namespace}".`);
      }
      // A sandbox's controller: `openstack` and `neutron` in its terminal, served by this process
      // (once per session, however many terminals). Without it the terminal still opens, and says so when asked.
      const api = namespace ? undefined : await serveExploreApi(await this.engine(), session, node).catch(() => undefined);
      // This client sees the calls made there too, richer, beside the terminal (the app's Explore panel).
      if (api && !this.terminalCalls.has(session)) {
        this.terminalCalls.set(
          session,
          watchTerminalCalls(session, (call) => this.emit('explore.call', { session, ...call })),
        );
      }
      const id = await this.terminals.open(container, inNamespace(['bash', '-l'], namespace), { cols, rows });
      this.terminalSessions.set(id, session);
      const by = this.caller.role === 'student' ? `${this.caller.name} (${this.caller.id})` : this.caller.role;
      this.service.sharedTerminals.opened(
        { id, session, node, ...(namespace ? { namespace } : {}), by, openedAt: new Date().toISOString() },
        (data) => this.typeInto(id, data),
      );
      return { id };
    },
    'terminal.write': async ({ id, data }) => {
      if (this.watching.has(id)) this.service.sharedTerminals.write(id, data);
      else this.typeInto(id, data);
      return {};
    },
    // A watcher's size is not the terminal's, nor is its drawing pace: both stay the owner's.
    'terminal.resize': async ({ id, cols, rows }) => {
      if (!this.watching.has(id)) await this.terminals.resize(id, cols, rows);
      return {};
    },
    'terminal.ack': async ({ id, chars }) => {
      if (this.watching.has(id)) this.service.sharedTerminals.ack(id, chars);
      else this.terminals.ack(id, chars);
      return {};
    },
    'terminal.close': async ({ id }) => {
      if (this.watching.delete(id)) {
        this.service.sharedTerminals.unwatch(id);
        return {};
      }
      if (this.terminalSessions.delete(id)) this.service.sharedTerminals.ended(id, null);
      await this.terminals.close(id);
      return {};
    },
    'terminal.list': async ({ session }) => ({ terminals: this.service.sharedTerminals.inSession(session) }),
    'terminal.watch': async ({ id, control }) => {
      const { watchId, scrollback, info } = this.service.sharedTerminals.watch(id, this.watcher, control);
      this.watching.add(watchId);
      return { id: watchId, scrollback, terminal: info };
    },
    'labfile.read': async ({ lab }) => {
      const file = labFileOf(lab, this.service.labsDir);
      // A lab with errors still opens in the editor: its file is read without validating it.
      if (!existsSync(file)) throw new AppError('input', `No lab "${lab}" in ${this.service.labsDir}.`);
      return { path: file, text: await readFile(file, 'utf8') };
    },
    'labfile.validate': async ({ text, lab }) => {
      const file = lab ? labFileOf(lab, this.service.labsDir) : '<editor>';
      return { problems: lintLab(text, file).problems };
    },
    'labfile.save': async ({ lab, text }) => {
      // An existing lab, or a new one: either way its folder is the id's, inside the labs folder.
      const file = labFileOf(lab, this.service.labsDir);
      const { problems, lab: parsed } = lintLab(text, file);
      // The folder and the file's id must agree, or the catalogue would list the lab as broken.
      if (parsed && parsed.id !== lab)
        throw new AppError('input', `Not saved: the file says id "${parsed.id}" but is saved as lab "${lab}"; they must match.`);
      const errors = problems.filter((p) => p.severity === 'error');
      if (errors.length > 0) {
        throw new AppError(
          'input',
          `Not saved: ${file} would have ${errors.length} error${errors.length === 1 ? '' : 's'}; the first: line ${errors[0]?.location.line}: ${errors[0]?.message}`,
        );
      }
      // Written beside and renamed over, so a crash never leaves half a lab file.
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.saving`, text, 'utf8');
      await rename(`${file}.saving`, file);
      return { path: file, problems };
    },
    'workshop.broadcast': async ({ text }) => {
      if (!this.service.workshop) throw new AppError('state', 'This server runs no workshop: there is no class to tell.');
      return { message: this.service.setBroadcast(text) ?? null };
    },
    'workshop.rejoinCode': async ({ student }) => {
      const kept = this.service.workshop;
      if (!kept) throw new AppError('state', 'This server runs no workshop: there are no seats to move.');
      const seat = student ?? (this.caller.role === 'student' ? this.caller.id : undefined);
      if (!seat) throw new AppError('input', 'Name the student whose seat moves (their seat, e.g. s07).');
      const { code, expiresAt } = await kept.workshop.rejoinCode(seat);
      const name = kept.workshop.students.find((s) => s.id === seat)?.name ?? seat;
      return { student: seat, name, code, expiresAt };
    },
    'workshop.status': async () => {
      const kept = this.service.workshop;
      if (!kept) throw new AppError('state', 'This server runs no workshop.', { hint: 'Start one with `neutron-lab workshop start`.' });
      const { workshop, dir } = kept;
      const [catalog, sessions] = await Promise.all([this.service.catalog.read(), this.service.studentSessions()]);
      const records = await workshopRecords(workshop, dir, catalog.labs);
      // Only a troubleshooting lab has a drawn fault to show: the others' pins are not read.
      const withFaults = new Set(catalog.labs.filter((l) => Object.keys(l.lab.faults).length > 0).map((l) => l.lab.id));
      return {
        title: workshop.title,
        labs: [...workshop.labs],
        seats: workshop.seats,
        joinCode: workshop.joinCode,
        students: await Promise.all(
          records.map(async (record) => ({
            ...record,
            sessions: await Promise.all(
              sessions
                .filter((s) => s.student === this.service.studentLabel(record.id))
                .map(async (s) => {
                  const live = this.service.live.of(s);
                  // A troubleshooting lab's drawn fault: the instructor sees what each student hunts.
                  const made =
                    s.state === 'running' && withFaults.has(s.lab) ? (await labOfSession(s).catch(() => undefined))?.fault : undefined;
                  const fault = made ? { name: made.name, title: textIn(made.fault.title, 'en') } : undefined;
                  return { name: s.name, lab: s.lab, state: s.state, ...(live ? { live } : {}), ...(fault ? { fault } : {}) };
                }),
            ),
          })),
        ),
      };
    },
  };
}

const withStale = (changed: boolean | undefined): { stale?: boolean } => (changed === undefined ? {} : { stale: changed });
