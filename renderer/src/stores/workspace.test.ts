import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LabDetail, SessionSummary } from '../../../main/api/contract';
import type { CheckReport, ObjectiveResult } from '../../../main/api/view';
import { english, translateArgs } from '../i18n';
import { fakeTransport, type Handlers } from './fake-transport';
import { useTransportStore } from './transport';
import { useWorkspaceStore } from './workspace';

const summary: SessionSummary = {
  name: 'it-ws',
  lab: 'gre-tenant',
  state: 'running',
  problems: [],
  nodes: [
    { name: 'network', role: 'network', state: 'running', links: [] },
    { name: 'compute1', role: 'compute', state: 'running', links: [] },
  ],
};

const lab: LabDetail = {
  id: 'gre-tenant',
  title: 'GRE',
  summary: '',
  level: 'intermediate',
  minutes: 45,
  release: 'icehouse',
  nodes: ['network', 'compute1'],
  networks: ['data'],
  faults: 0,
  sandbox: false,
  progress: { met: 0, solved: 0, total: 1 },
  currentStep: 0,
  steps: [
    { id: 'look', title: 'Look', guide: '# Look', objectives: [{ id: 'gre-port', title: 'GRE port', given: true, hints: 0 }] },
    { id: 'tables', title: 'Tables', guide: '', objectives: [{ id: 'table-0', title: 'Table 0', given: false, hints: 2 }] },
  ],
  vms: [{ name: 'vm1', node: 'compute1', address: '192.168.1.3' }],
};

const objective = (over: Partial<ObjectiveResult>): ObjectiveResult => ({
  id: 'table-0',
  title: 'Table 0',
  step: 'tables',
  given: false,
  passed: false,
  expected: 'flow',
  found: 'none',
  hintsUsed: 0,
  hintsTotal: 2,
  ...over,
});
const report = (objectives: ObjectiveResult[]): CheckReport => ({
  session: 'it-ws',
  lab: 'gre-tenant',
  passed: objectives.filter((o) => o.passed).length,
  total: objectives.length,
  allPassed: objectives.every((o) => o.passed),
  credit: { met: 0, solved: 0, total: objectives.length },
  objectives,
  currentStep: 1,
  elapsedMs: 1200,
  notices: [],
});

function setup(handlers: Handlers) {
  setActivePinia(createPinia());
  const transport = fakeTransport({ 'sessions.list': () => ({ sessions: [summary] }), 'labs.get': () => lab, ...handlers });
  useTransportStore().set(transport);
  return { transport, store: useWorkspaceStore() };
}

describe('workspace store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('opens a session: finds its lab through sessions.list and loads it in the UI language', async () => {
    const { store, transport } = setup({});
    await store.open('it-ws');
    expect(store.lab?.id).toBe('gre-tenant');
    expect(store.nodes).toEqual(['network', 'compute1']);
    expect(transport.calls.find((c) => c.method === 'labs.get')?.params).toEqual({
      lab: 'gre-tenant',
      language: expect.stringMatching(/en|zh/),
    });
  });

  it('says so when no session has that name', async () => {
    const { store } = setup({ 'sessions.list': () => ({ sessions: [] }) });
    await store.open('gone');
    expect(store.missing).toBe(true);
    expect(store.lab).toBeUndefined();
  });

  it('keeps check results by objective, with the hint offered, and forgets them after solve', async () => {
    const { store, transport } = setup({
      'lab.check': () =>
        report([objective({ id: 'gre-port', given: true, passed: true, hintsTotal: 0 }), objective({ hint: 'first', hintNumber: 1 })]),
      'lab.solve': () => ({ session: 'it-ws', built: ['compute1/tunnel-flows'], commands: 9, elapsedMs: 800 }),
    });
    await store.open('it-ws');
    await store.check();
    expect(store.results['gre-port']?.passed).toBe(true);
    expect(store.results['table-0']?.found).toBe('none');
    expect(store.hints['table-0']?.shown).toEqual([{ number: 1, text: 'first' }]);
    await store.solve(2);
    expect(transport.calls.at(-1)).toEqual({ method: 'lab.solve', params: { session: 'it-ws', step: 2, language: 'en' } });
    expect(store.report).toBeUndefined();
    // "1 part", not "1 part(s)".
    expect(translateArgs(english, store.notice!.key, store.notice!.params)).toBe(
      'Built 1 part with 9 commands in 0.8 s. Press Check to see the result.',
    );
  });

  it("names the fault a break-fix lab's solve repaired", async () => {
    const { store } = setup({
      'lab.solve': () => ({
        session: 'it-ws',
        built: [],
        commands: 1,
        repaired: { fault: 'qvb-down', title: 'qvb was down' },
        elapsedMs: 300,
      }),
    });
    await store.open('it-ws');
    await store.solve();
    expect(translateArgs(english, store.notice!.key, store.notice!.params)).toBe(
      'The fault was: qvb was down. Repaired with 1 command in 0.3 s. Press Check to see the result.',
    );
  });

  it('shows the hint the check offers, then climbs to the next one', async () => {
    const { store, transport } = setup({
      'lab.check': () => report([objective({ hint: 'first', hintNumber: 1 })]),
      'lab.hint': () => ({ hint: 'second', number: 2, total: 2 }),
    });
    await store.open('it-ws');
    await store.check();
    await store.nextHint('table-0');
    // Hints belong to the session, not to the lab across sessions.
    expect(transport.calls.filter((c) => c.method === 'lab.hint').map((c) => c.params)).toEqual([
      { session: 'it-ws', objective: 'table-0', language: 'en' },
    ]);
    expect(store.hints['table-0']?.shown.map((h) => h.text)).toEqual(['first', 'second']);
  });

  it('shows the back end error with its hint, and runs one control at a time', async () => {
    let release: () => void = () => undefined;
    const { store } = setup({
      'lab.check': () => new Promise((resolve) => (release = () => resolve(report([])))),
      'lab.reset': async () => {
        const { RemoteError } = await import('../transport/transport');
        throw new RemoteError('state', 'Lab "it-ws" is broken.', 'Start it afresh.');
      },
    });
    await store.open('it-ws');
    const checking = store.check();
    expect(store.busy).toBe('check');
    await store.reset(); // refused while the check runs
    expect(store.error).toBeUndefined();
    release();
    await checking;
    await store.reset();
    expect(store.error).toEqual({ message: 'Lab "it-ws" is broken.', hint: 'Start it afresh.' });
  });
});
