import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodName, MethodResults, Reply } from '../main/api/contract';
import { ApiService, type Client } from '../main/api/service';
import type { Engine } from '../main/core/docker/engine';
import { IDLE_MS } from '../main/core/docker/exec-channel';
import { listSessions } from '../main/core/session/sessions';
import { removeSessionsNamed } from '../main/core/session/teardown';
import { ROUND_INTERVAL_MS } from '../main/core/workshop/live-checks';
import { Workshop } from '../main/core/workshop/workshop';
import { median, nodeMemoryBytes, percentile, seconds } from './measure';

/**
 * A class on this machine, through the same service a workshop server runs: N students join and
 * each starts gre-tenant within the same second. Reported: time until every lab is ready, the
 * background check round with all of them running (each lab's check, p50 and p95, and the whole
 * round), a student's own Check (with probes) meanwhile, the server's memory, memory per node,
 * workshop.status (what the class view reads), and how long a command a student enters in
 * their terminal takes to reach the instructor's class view.
 *
 * Targets on a 2-core machine: 30 labs all ready within 60 s; check round p95 ≤ 2 s with 30
 * running; the class view shows a change within 5 s.
 */

export type Report = (what: string, value: string, target?: string) => void;

const LAB = 'gre-tenant';
/** Students start their lab under this name (s01-bench-gre, …), apart from a real workshop's. */
const NAME = 'bench-gre';
/** The objective the change-to-class-view figure waits for (step 2's first flow, state only), and the learner's command that meets it. */
const CHANGED_OBJECTIVE = 'table-2';
const STEP_2_COMMAND = "ovs-ofctl add-flow br-tun 'table=2,priority=1,tun_id=0x1,actions=mod_vlan_vid:1,resubmit(,10)'";

/** A call that must succeed: a refused one ends the benchmark with its message. */
async function call<M extends MethodName>(client: Client, method: M, params: object): Promise<MethodResults[M]> {
  const reply = (await client.dispatch(method, params)) as Reply<M>;
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result;
}

export async function benchWorkshop(engine: Engine, students: number, report: Report): Promise<void> {
  const label = `workshop of ${students}`;
  const names = Array.from({ length: students }, (_, i) => `s${String(i + 1).padStart(2, '0')}-${NAME}`);
  const left = (await listSessions(engine)).filter((s) => names.includes(s.name));
  for (const session of left) await removeSessionsNamed(engine, session.name);

  const root = await mkdtemp(join(tmpdir(), 'nl-bench-workshop-'));
  const dir = join(root, 'workshop');
  const workshop = await Workshop.create(dir, { title: 'bench', labs: [LAB], seats: students });
  const service = new ApiService({ workshop: { workshop, dir } });
  const quiet = () => undefined;
  const instructor = service.client(quiet, { role: 'instructor' });
  const clients: Client[] = [];
  for (let i = 0; i < students; i++) {
    const { student } = await workshop.join(workshop.joinCode, `Student ${i + 1}`);
    clients.push(service.client(quiet, { role: 'student', id: student.id, name: student.name }));
  }
  try {
    // Everyone presses Start at once.
    const started = performance.now();
    const outcomes = await Promise.allSettled(clients.map((c) => call(c, 'lab.up', { lab: LAB, name: NAME })));
    const allReady = performance.now() - started;
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as Error).message] : []));
    report(`${label}: all ${students} gre-tenant labs ready`, seconds(allReady), students >= 30 ? 'target ≤ 60 s for 30' : '');
    if (failed.length > 0) {
      report(`${label}: labs that failed to start`, `${failed.length}: ${[...new Set(failed)].join(' | ').slice(0, 300)}`);
      return;
    }

    const sessions = (await listSessions(engine)).filter((s) => names.includes(s.name));
    const nodes = sessions.flatMap((s) => s.nodes);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 1000)); // idle: the nodes' command channels closed
    const sample = await Promise.all(nodes.slice(0, 6).map((n) => nodeMemoryBytes(engine, n.containerId)));
    report(`${label}: memory per idle node (median of ${sample.length})`, `${(median(sample) / 1024 / 1024).toFixed(1)} MB`);
    report(`${label}: server memory (RSS of this process)`, `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);

    // The background round, as the server runs it, three times.
    const perLab: number[] = [];
    const rounds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const roundStarted = performance.now();
      perLab.push(...(await service.checkRound()));
      rounds.push(performance.now() - roundStarted);
    }
    report(
      `${label}: background check, one lab (p50 / p95 of ${perLab.length})`,
      `${seconds(percentile(perLab, 50))} / ${seconds(percentile(perLab, 95))}`,
      students >= 30 ? 'target p95 ≤ 2 s' : '',
    );
    report(`${label}: background round over all labs (median of 3)`, seconds(median(rounds)));

    // A student's own Check (with probe traffic) while the class runs, one student after another.
    const checks: number[] = [];
    for (const client of clients.slice(0, 10)) {
      const checkStarted = performance.now();
      await call(client, 'lab.check', { session: names[clients.indexOf(client)], language: 'en' });
      checks.push(performance.now() - checkStarted);
    }
    report(
      `${label}: a student's Check with probes (p50 / p95 of ${checks.length})`,
      `${seconds(percentile(checks, 50))} / ${seconds(percentile(checks, 95))}`,
    );

    const statusReads: number[] = [];
    for (let i = 0; i < 10; i++) {
      const readStarted = performance.now();
      await call(instructor, 'workshop.status', {});
      statusReads.push(performance.now() - readStarted);
    }
    report(
      `${label}: workshop.status (p50 / p95 of 10)`,
      `${seconds(percentile(statusReads, 50))} / ${seconds(percentile(statusReads, 95))}`,
    );

    // A student enters a command that meets an objective, without pressing Check: how long until
    // the instructor's class view is told (it reads workshop.status then), the background checks
    // running as in production.
    service.startBackgroundChecks();
    try {
      const seen: number[] = [];
      for (const index of [0, Math.floor(students / 2), students - 1]) {
        const session = names[index]!;
        const { id } = await call(clients[index]!, 'terminal.open', { session, node: 'compute1', cols: 120, rows: 30 });
        await new Promise((resolve) => setTimeout(resolve, 2_000)); // the shell's prompt, as a learner would wait for it
        const told = new Promise<void>((resolve) => {
          const listener = service.client(
            (event, payload) => {
              if (event === 'workshop.changed' && (payload as { session: string }).session === session) {
                void listener.close();
                resolve();
              }
            },
            { role: 'instructor' },
          );
        });
        const typed = performance.now();
        await call(clients[index]!, 'terminal.write', { id, data: `${STEP_2_COMMAND}\r` });
        await Promise.race([
          told,
          new Promise((_, reject) => setTimeout(() => reject(new Error(`${session}: the change never showed`)), 2 * ROUND_INTERVAL_MS)),
        ]);
        seen.push(performance.now() - typed);
        const status = await call(instructor, 'workshop.status', {});
        const live = status.students.flatMap((s) => s.sessions).find((s) => s.name === session)?.live;
        if (!live?.objectives[CHANGED_OBJECTIVE]) throw new Error(`${session}: told of a change, but ${CHANGED_OBJECTIVE} is not met`);
        await call(clients[index]!, 'terminal.close', { id });
      }
      report(`${label}: a command in a student's terminal → the class view told (each of 3)`, seen.map(seconds).join(', '), 'target ≤ 5 s');
    } finally {
      await service.stopBackgroundChecks();
    }
  } finally {
    const downStarted = performance.now();
    await Promise.allSettled(names.map((name) => removeSessionsNamed(engine, name)));
    report(`${label}: all labs down`, seconds(performance.now() - downStarted));
    await Promise.all([instructor, ...clients].map((c) => c.close()));
    await rm(root, { recursive: true, force: true });
  }
}
