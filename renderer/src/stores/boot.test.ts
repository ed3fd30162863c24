import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../main/api/contract';
import { SESSION_NAME_PATTERN } from '../../../main/api/view';
import { nameTaken, useBootStore } from './boot';
import { fakeTransport } from './fake-transport';
import { useSettingsStore } from './settings';
import { useTransportStore } from './transport';

describe('boot store', () => {
  it('follows lab.boot events of its own session while lab.up runs', async () => {
    setActivePinia(createPinia());
    const phases: string[] = [];
    const transport = fakeTransport({
      'lab.up': (params, emit) => {
        emit('lab.boot', { session: 'other', node: 'network', phase: 'ready', elapsedMs: 1 });
        emit('lab.boot', { session: 'mine', node: 'network', phase: 'creating', elapsedMs: 2 });
        phases.push(
          useBootStore()
            .nodes.map((n) => n.phase)
            .join(','),
        );
        emit('lab.boot', { session: 'mine', node: 'network', phase: 'ready', elapsedMs: 3 });
        return { name: params.name ?? params.lab, lab: params.lab, state: 'running', problems: [], nodes: [] } satisfies SessionSummary;
      },
    });
    useTransportStore().set(transport);
    const boot = useBootStore();
    const up = await boot.start('gre-tenant', ['network', 'compute1'], 'mine');
    expect(up?.name).toBe('mine');
    expect(phases).toEqual(['creating,waiting']);
    expect(boot.nodes.map((n) => n.phase)).toEqual(['ready', 'waiting']);
    expect(boot.booting).toBe(false);
    // Events after the call are not this boot's any more.
    transport.emit('lab.boot', { session: 'mine', node: 'compute1', phase: 'ready', elapsedMs: 4 });
    expect(boot.nodes[1]?.phase).toBe('waiting');
  });

  it('boots under the lab id when no name is given, and keeps the failure', async () => {
    setActivePinia(createPinia());
    const { RemoteError } = await import('../transport/transport');
    const transport = fakeTransport({
      'lab.up': () => {
        throw new RemoteError('state', 'Lab "gre-tenant" is already up.', 'Open it, or stop it first.');
      },
    });
    useTransportStore().set(transport);
    const boot = useBootStore();
    expect(await boot.start('gre-tenant', ['network'])).toBeUndefined();
    expect(transport.calls[0]?.params).toEqual({ lab: 'gre-tenant' });
    expect(boot.error).toEqual({ message: 'Lab "gre-tenant" is already up.', hint: 'Open it, or stop it first.' });
    // Not left at "waiting": the node's bar says the start failed.
    expect(boot.nodes.map((n) => n.phase)).toEqual(['failed']);
  });

  it("a name already taken: the hint speaks of the Session name field, not of --name, in the UI's language", async () => {
    setActivePinia(createPinia());
    const { RemoteError } = await import('../transport/transport');
    // The back end's words (main/core/session/boot.ts), meant for the CLI.
    const message = 'A lab is already up under the name "my-gre" (running, lab gre-tenant).';
    useTransportStore().set(
      fakeTransport({
        'lab.up': () => {
          throw new RemoteError('state', message, 'Stop it with `neutron-lab down my-gre`, or start another copy with `--name my-gre-2`.');
        },
      }),
    );
    const boot = useBootStore();
    await boot.start('gre-tenant', ['network'], 'my-gre');
    expect(boot.error?.message).toBe(message);
    expect(boot.error?.hint).toBe(
      'Open or stop "my-gre" under Running labs, or type another name in the Session name field (for example my-gre-2).',
    );
    expect(boot.error?.hint).not.toContain('--name');
    useSettingsStore().language = 'zh';
    await boot.start('gre-tenant', ['network'], 'my-gre');
    expect(boot.error?.hint).toContain('会话名称');
    expect(nameTaken(new RemoteError('state', 'Another lab came up under the name "x1" at the same time.'))).toBe('x1');
    expect(nameTaken(new RemoteError('input', message))).toBeUndefined();
  });

  it('knows the contract rule for session names', () => {
    expect(SESSION_NAME_PATTERN.test('it-ui-1a2b3c')).toBe(true);
    expect(SESSION_NAME_PATTERN.test('1lab')).toBe(false);
    expect(SESSION_NAME_PATTERN.test('Lab')).toBe(false);
  });
});
