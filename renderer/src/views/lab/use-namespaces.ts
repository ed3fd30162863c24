import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';
import type { Transport } from '../../transport/transport';

/**
 * The network namespaces of each node, read live with `node.snapshot` every few seconds, so a
 * namespace the learner (or a solve) creates gets its terminal tab. One node at a time and never
 * two rounds at once: the machine may have two cores. It pauses while `paused` says so — the
 * inspector's "what changed" compares with this window's previous snapshot of a node, which a
 * poll of ours would move — and while the window is hidden.
 */

const INTERVAL_MS = 4000;

export function useNamespaces(transport: Transport, session: Ref<string>, nodes: Ref<readonly string[]>, paused: Ref<boolean>) {
  const namespaces = ref<Record<string, string[]>>({});
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  async function round(): Promise<void> {
    for (const node of nodes.value) {
      if (stopped || paused.value) return;
      try {
        const { snapshot } = await transport.call('node.snapshot', { session: session.value, node });
        namespaces.value = { ...namespaces.value, [node]: snapshot.namespaces.map((n) => n.name) };
      } catch {
        // A node that cannot be read now (restarting, lab going down) keeps its last list.
      }
    }
  }

  let running = false;
  let again = false;

  async function loop(): Promise<void> {
    if (stopped) return;
    if (running) {
      again = true; // asked for while a round runs: one more right after it
      return;
    }
    running = true;
    try {
      do {
        again = false;
        if (!paused.value && document.visibilityState !== 'hidden') await round();
      } while (again && !stopped);
    } finally {
      running = false;
    }
    if (!stopped) timer = setTimeout(() => void loop(), INTERVAL_MS);
  }

  /** A round now, e.g. after solve or reset changed what exists. */
  function refresh(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    void loop();
  }

  onMounted(() => void loop());
  onBeforeUnmount(() => {
    stopped = true;
    if (timer) clearTimeout(timer);
  });

  return { namespaces, refresh };
}
