import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LabDetail, SessionSummary } from '../../../main/api/contract';
import type { CheckReport, ObjectiveResult } from '../../../main/api/view';
import { counted, type MessageArgs, type MessageKey } from '../i18n';
import { describeError, type Problem } from './errors';
import { hintsFromCheck, hintsFromReply, type HintState } from './hints';
import { useSettingsStore } from './settings';
import { useTransportStore } from './transport';

/**
 * One open lab session: its lab (steps, guides, objectives), the last check's results, the hints
 * shown, and the lab controls. Results are cleared when solve or reset changes the state under
 * them, so a ✓ on screen is always one that a check produced for the state as it is.
 */

export type Busy = 'open' | 'check' | 'reset' | 'solve' | 'down' | 'hint';

export const useWorkspaceStore = defineStore('workspace', () => {
  const session = ref<string>();
  const summary = ref<SessionSummary>();
  const lab = ref<LabDetail>();
  /** The step shown in the guide, 0-based. */
  const stepIndex = ref(0);
  const report = ref<CheckReport>();
  const hints = ref<Record<string, HintState>>({});
  const busy = ref<Busy>();
  const notice = ref<{ key: MessageKey; params: MessageArgs }>();
  const error = ref<Problem>();
  /** Steps built by Solve from this window since it opened the lab (or since Reset): 1..n, n = step count for Solve all. */
  const solvedUpTo = ref(0);
  /** Set when no running session has this name (stopped elsewhere, or a stale link). */
  const missing = ref(false);

  const results = computed<Record<string, ObjectiveResult>>(() =>
    Object.fromEntries((report.value?.objectives ?? []).map((r) => [r.id, r])),
  );
  const step = computed(() => lab.value?.steps[stepIndex.value]);
  const nodes = computed(() => summary.value?.nodes.map((n) => n.name) ?? lab.value?.nodes ?? []);

  const api = () => useTransportStore().api();
  const language = () => useSettingsStore().language;

  /** Runs one control; only one at a time, and its failure lands in `error`. */
  async function run<T>(kind: Busy, body: () => Promise<T>): Promise<T | undefined> {
    if (busy.value) return undefined;
    busy.value = kind;
    error.value = undefined;
    try {
      return await body();
    } catch (e) {
      error.value = describeError(e);
      return undefined;
    } finally {
      busy.value = undefined;
    }
  }

  async function open(name: string): Promise<void> {
    const fresh = session.value !== name;
    if (fresh) {
      session.value = name;
      summary.value = undefined;
      lab.value = undefined;
      report.value = undefined;
      hints.value = {};
      notice.value = undefined;
      stepIndex.value = 0;
      solvedUpTo.value = 0;
    }
    missing.value = false;
    await run('open', async () => {
      const found = (await api().call('sessions.list', {})).sessions.find((s) => s.name === name);
      if (!found) {
        missing.value = true;
        return;
      }
      summary.value = found;
      lab.value = await api().call('labs.get', { lab: found.lab, language: language() });
      // A lab opened afresh starts where the learner was at the last check.
      const at = fresh ? lab.value.currentStep : stepIndex.value;
      stepIndex.value = Math.max(0, Math.min(at, lab.value.steps.length - 1));
    });
  }

  /** The lab again in the UI's (new) language; check results keep their ids, so they stay. */
  async function relabel(): Promise<void> {
    if (!summary.value) return;
    const labId = summary.value.lab;
    try {
      lab.value = await api().call('labs.get', { lab: labId, language: language() });
    } catch (e) {
      error.value = describeError(e);
    }
  }

  async function check(): Promise<void> {
    const name = session.value;
    if (!name) return;
    await run('check', async () => {
      const checked = await api().call('lab.check', { session: name, language: language() });
      report.value = checked;
      const next = { ...hints.value };
      for (const r of checked.objectives) next[r.id] = hintsFromCheck(next[r.id], r);
      hints.value = next;
      notice.value = undefined;
    });
  }

  /** After solve or reset the last results describe a state that is gone. */
  function forgetResults(key: MessageKey, params: MessageArgs): void {
    report.value = undefined;
    notice.value = { key, params };
  }

  const seconds = (ms: number) => (ms / 1000).toFixed(1);

  async function reset(): Promise<void> {
    const name = session.value;
    if (!name) return;
    await run('reset', async () => {
      const done = await api().call('lab.reset', { session: name });
      solvedUpTo.value = 0;
      forgetResults('controls.resetDone', { seconds: seconds(done.elapsedMs) });
    });
  }

  /** Builds the learner's parts: of steps 1..`step` (1-based), or of every step. */
  async function solve(step?: number): Promise<void> {
    const name = session.value;
    if (!name) return;
    await run('solve', async () => {
      const done = await api().call('lab.solve', { session: name, language: language(), ...(step === undefined ? {} : { step }) });
      solvedUpTo.value = Math.max(solvedUpTo.value, step ?? lab.value?.steps.length ?? 0);
      // A break-fix lab's solve names the fault it repaired: what the learner was looking for.
      forgetResults(done.repaired ? 'controls.solvedFault' : 'controls.solved', {
        parts: counted(done.built.length, 'controls.partsOne', 'controls.partsMany'),
        commands: counted(done.commands, 'controls.commandsOne', 'controls.commandsMany'),
        seconds: seconds(done.elapsedMs),
        ...(done.repaired ? { fault: done.repaired.title } : {}),
      });
    });
  }

  /** True when the lab is down (the caller leaves the workspace). */
  async function down(): Promise<boolean> {
    const name = session.value;
    if (!name) return false;
    const done = await run('down', () => api().call('lab.down', { session: name }));
    return done !== undefined;
  }

  async function nextHint(objective: string): Promise<void> {
    const name = session.value;
    if (!name) return;
    await run('hint', async () => {
      const reply = await api().call('lab.hint', { session: name, objective, language: language() });
      hints.value = { ...hints.value, [objective]: hintsFromReply(hints.value[objective], reply) };
    });
  }

  return {
    session,
    summary,
    lab,
    stepIndex,
    report,
    hints,
    busy,
    notice,
    error,
    missing,
    results,
    solvedUpTo,
    step,
    nodes,
    open,
    relabel,
    check,
    reset,
    solve,
    down,
    nextHint,
  };
});
