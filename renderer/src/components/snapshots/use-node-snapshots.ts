import { inject, onBeforeUnmount, onMounted, provide, watch, type InjectionKey, type Ref } from 'vue';
import type { Transport } from '../../transport/transport';
import { NodeSnapshots } from './node-snapshots';
import { useVisibility } from './visibility';

/**
 * The workspace's one NodeSnapshots, handed to the views inside it: the workspace provides it,
 * the topology, the inspector and the namespace list subscribe to the nodes they show.
 */

const KEY: InjectionKey<NodeSnapshots> = Symbol('node-snapshots');

/** Made by the workspace for its session; dropped (pollers stopped) when the workspace goes. */
export function provideNodeSnapshots(transport: Transport, session: Ref<string>): NodeSnapshots {
  const store = new NodeSnapshots((node) => transport.call('node.snapshot', { session: session.value, node, diff: true }));
  provide(KEY, store);
  onBeforeUnmount(() => store.dispose());
  return store;
}

export function useNodeSnapshots(): NodeSnapshots {
  const store = inject(KEY);
  if (!store) throw new Error('useNodeSnapshots: no workspace provided the node snapshots (provideNodeSnapshots).');
  return store;
}

/**
 * Keeps `nodes` fresh while `element` (or, without one, the page) is on screen; follows changes
 * of the list and ends with the component.
 */
export function subscribeNodes(store: NodeSnapshots, nodes: Ref<readonly string[]>, element?: Ref<HTMLElement | undefined>): void {
  const visible = element ? useVisibility(element, () => nodes.value.forEach((node) => void store.feed(node).refresh())) : undefined;
  const active = () => (visible ? visible.value : document.visibilityState !== 'hidden');
  let ends: (() => void)[] = [];
  const follow = (list: readonly string[]) => {
    ends.forEach((end) => end());
    ends = list.map((node) => store.subscribe(node, active));
  };
  onMounted(() => follow(nodes.value));
  watch(
    () => nodes.value.join('\n'),
    () => follow(nodes.value),
  );
  onBeforeUnmount(() => {
    ends.forEach((end) => end());
    ends = [];
  });
}
