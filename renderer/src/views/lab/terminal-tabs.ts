/**
 * The terminals a lab offers: one per node and one per network namespace in it ('' is the node
 * itself). Namespaces are discovered live, so the list grows as the learner creates them, and a
 * terminal already open stays listed when its namespace goes (its shell says it exited).
 */

export interface TerminalTab {
  key: string;
  node: string;
  /** '' for the node's own namespace. */
  namespace: string;
}

export const terminalKey = (node: string, namespace = ''): string => (namespace ? `${node}/${namespace}` : node);

export function terminalTabs(
  nodes: readonly string[],
  namespaces: Readonly<Record<string, readonly string[]>>,
  open: readonly string[],
): TerminalTab[] {
  const tabs: TerminalTab[] = [];
  const seen = new Set<string>();
  const add = (node: string, namespace: string) => {
    const key = terminalKey(node, namespace);
    if (seen.has(key)) return;
    seen.add(key);
    tabs.push({ key, node, namespace });
  };
  for (const node of nodes) {
    add(node, '');
    for (const namespace of [...(namespaces[node] ?? [])].sort()) if (namespace) add(node, namespace);
    for (const key of open) {
      const [owner, namespace] = splitKey(key);
      if (owner === node && namespace) add(node, namespace);
    }
  }
  return tabs;
}

export function splitKey(key: string): [node: string, namespace: string] {
  const slash = key.indexOf('/');
  return slash < 0 ? [key, ''] : [key.slice(0, slash), key.slice(slash + 1)];
}

const UUID_TAIL = /^(.*?)([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A namespace's name for its tab: Neutron's qdhcp-/qrouter- names end in a whole UUID, which
 * wrapped the tab bar to three rows; its first eight digits tell them apart (the tooltip has all).
 */
export function shortName(namespace: string): string {
  const match = UUID_TAIL.exec(namespace);
  return match ? `${match[1]}${match[2]}…` : namespace;
}
