import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { EnvironmentStatus } from '../../../main/api/contract';
import { useCatalogStore } from './catalog';
import { fakeTransport } from './fake-transport';
import { useTransportStore } from './transport';

const desktop = { electron: false, detail: 'no binary' };

describe('catalog store', () => {
  it('does not ask for sessions when the engine is unreachable, and keeps its error for the panel', async () => {
    setActivePinia(createPinia());
    const environment: EnvironmentStatus = {
      engine: {
        ok: false,
        error: {
          code: 'environment',
          message: 'Cannot reach the Docker engine at unix:///nope.',
          hint: 'Start it: sudo systemctl start docker',
        },
      },
      image: undefined,
      desktop,
      caller: { role: 'owner' },
    };
    const transport = fakeTransport({ 'environment.status': () => environment, 'labs.list': () => ({ labs: [], broken: [] }) });
    useTransportStore().set(transport);
    const catalog = useCatalogStore();
    await catalog.refresh();
    expect(transport.calls.map((c) => c.method).sort()).toEqual(['environment.status', 'labs.list']);
    expect(catalog.environment?.engine.ok).toBe(false);
    expect(catalog.error).toBeUndefined();
  });

  it('asks for the catalogue in the UI language and lists the running labs', async () => {
    setActivePinia(createPinia());
    const transport = fakeTransport({
      'environment.status': () => ({
        engine: { ok: true, endpoint: 'unix:///var/run/docker.sock', version: '20.10' },
        image: undefined,
        desktop,
        caller: { role: 'owner' },
      }),
      'labs.list': () => ({ labs: [], broken: [] }),
      'sessions.list': () => ({ sessions: [{ name: 'gre-tenant', lab: 'gre-tenant', state: 'running', problems: [], nodes: [] }] }),
      'lab.down': () => ({ containers: 2, networks: 2 }),
    });
    useTransportStore().set(transport);
    const catalog = useCatalogStore();
    await catalog.refresh();
    expect(transport.calls.find((c) => c.method === 'labs.list')?.params).toEqual({ language: expect.stringMatching(/^(en|zh)$/) });
    expect(catalog.sessions.map((s) => s.name)).toEqual(['gre-tenant']);
    await catalog.stop('gre-tenant');
    expect(transport.calls.at(-2)).toEqual({ method: 'lab.down', params: { session: 'gre-tenant' } });
  });
});
