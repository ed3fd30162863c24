import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { EnvironmentStatus, LabSummary, MethodResults, SessionSummary } from '../../../main/api/contract';
import { describeError, type Problem } from './errors';
import { useSettingsStore } from './settings';
import { useTransportStore } from './transport';

/** The home screen's facts: the environment, the catalogue (in the UI's language) and the running labs. */
export const useCatalogStore = defineStore('catalog', () => {
  const environment = ref<EnvironmentStatus>();
  const labs = ref<LabSummary[]>([]);
  const broken = ref<MethodResults['labs.list']['broken']>([]);
  const sessions = ref<SessionSummary[]>([]);
  const loading = ref(false);
  const error = ref<Problem>();

  async function refresh(): Promise<void> {
    const api = useTransportStore().api();
    loading.value = true;
    error.value = undefined;
    try {
      const [env, catalog] = await Promise.all([
        api.call('environment.status', {}),
        api.call('labs.list', { language: useSettingsStore().language }),
      ]);
      // Without an engine there are no sessions to list, and asking would only repeat its error.
      const running = env.engine.ok ? (await api.call('sessions.list', {})).sessions : [];
      // All at once: the panel of running labs appears with the environment, and must not say
      // "No lab is up" while the list is still on its way.
      environment.value = env;
      labs.value = catalog.labs;
      broken.value = catalog.broken;
      sessions.value = running;
    } catch (e) {
      error.value = describeError(e);
    } finally {
      loading.value = false;
    }
  }

  async function refreshSessions(): Promise<void> {
    try {
      sessions.value = (await useTransportStore().api().call('sessions.list', {})).sessions;
    } catch (e) {
      error.value = describeError(e);
    }
  }

  /** Stops a lab, or (restart) boots a broken one again under its name; then lists the labs again. */
  async function changeSession(method: 'lab.down' | 'lab.restart', session: string): Promise<void> {
    error.value = undefined;
    try {
      await useTransportStore().api().call(method, { session });
    } catch (e) {
      error.value = describeError(e);
    }
    await refreshSessions();
  }
  const stop = (session: string) => changeSession('lab.down', session);
  const restart = (session: string) => changeSession('lab.restart', session);

  return { environment, labs, broken, sessions, loading, error, refresh, refreshSessions, stop, restart };
});
