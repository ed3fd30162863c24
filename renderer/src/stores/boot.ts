import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SessionSummary } from '../../../main/api/contract';
import { applyBootEvent, failBoot, initialBoot, type NodeBoot } from './boot-progress';
import { translate } from '../i18n';
import { RemoteError } from '../transport/transport';
import { describeError, type Problem } from './errors';
import { useSettingsStore } from './settings';
import { useTransportStore } from './transport';

/**
 * The name a start was refused for because a session already has it (the back end's hint speaks
 * of the CLI's `--name`; in the app the field is "Session name").
 */
export function nameTaken(error: unknown): string | undefined {
  if (!(error instanceof RemoteError) || error.code !== 'state') return undefined;
  return /(?:already up|came up) under the name "([a-z][a-z0-9-]*)"/.exec(error.message)?.[1];
}

/** Starting a lab: `lab.up` with per-node progress from `lab.boot` events. One boot at a time. */
export const useBootStore = defineStore('boot', () => {
  /** The lab of the last start, whose card shows the progress (and the error, if it failed). */
  const lab = ref<string>();
  const booting = ref(false);
  const session = ref<string>();
  const nodes = ref<NodeBoot[]>([]);
  const error = ref<Problem>();

  /** The session when it is up; undefined when it failed (then `error` says why). */
  async function start(labId: string, labNodes: readonly string[], name?: string): Promise<SessionSummary | undefined> {
    const api = useTransportStore().api();
    const sessionName = name || labId;
    lab.value = labId;
    session.value = sessionName;
    nodes.value = initialBoot(labNodes);
    error.value = undefined;
    booting.value = true;
    // Events go only to this window, but another start in it must not move these bars.
    const stop = api.on('lab.boot', (event) => {
      if (event.session === sessionName) nodes.value = applyBootEvent(nodes.value, event);
    });
    try {
      return await api.call('lab.up', name ? { lab: labId, name } : { lab: labId });
    } catch (e) {
      const taken = nameTaken(e);
      error.value = taken
        ? {
            message: describeError(e).message,
            hint: translate(useSettingsStore().language, 'labs.nameTaken', { name: taken, suggestion: `${taken.slice(0, 38)}-2` }),
          }
        : describeError(e);
      nodes.value = failBoot(nodes.value);
      return undefined;
    } finally {
      stop();
      booting.value = false;
    }
  }

  return { lab, booting, session, nodes, error, start };
});
