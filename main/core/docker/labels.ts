/**
 * Every Docker object Neutron Lab creates carries these labels, so that teardown and crash
 * recovery remove exactly what the app made — and nothing else on the user's engine.
 */
export const LABEL = {
  /** Present on everything we make; its value is the label schema version. */
  managed: 'org.neutron-lab.managed',
  /** The session's name: a running copy of a lab (defaults to the lab id; `--name` picks another). */
  session: 'org.neutron-lab.session',
  /** A random id per `up`, so two racing `up`s of one name never clean up each other's objects. */
  sessionId: 'org.neutron-lab.session-id',
  /** The lab id from lab.yaml, and the file it was read from (the running copy is its pin, see session/pin; the stale test compares with this file). */
  lab: 'org.neutron-lab.lab',
  labFile: 'org.neutron-lab.lab-file',
  /** In a workshop: the student whose lab it is, as `<workshop id>:<seat>`. The service lets only them and the instructor near it. */
  student: 'org.neutron-lab.student',
  /** `host:pid` of the process that ran `up`; tells a boot in progress from a crashed one. */
  owner: 'org.neutron-lab.owner',
  /** How many nodes and networks the session will have once `up` completes. */
  expectedNodes: 'org.neutron-lab.expected-nodes',
  expectedNetworks: 'org.neutron-lab.expected-networks',
  /** On containers: the node name and role from the topology. */
  node: 'org.neutron-lab.node',
  role: 'org.neutron-lab.role',
  /** On containers: the node's links as `iface=network=address,...`, for status without inspecting. */
  links: 'org.neutron-lab.links',
  /** On networks: the network name from the topology. */
  network: 'org.neutron-lab.network',
  /**
   * On the boot mark (a volume that `up` creates last, once every boot part is built and the
   * waits are done): when the boot completed. A session without it was never finished.
   */
  booted: 'org.neutron-lab.booted',
  /** On node images: the hash of the recipe the image was built from, and which builder made it. */
  recipe: 'org.neutron-lab.recipe',
  builder: 'org.neutron-lab.builder',
} as const;

/** 2: sessions carry a boot mark. Version 1 sessions had none and count as booted when complete. */
export const LABEL_SCHEMA_VERSION = '2';

/** A Docker `filters` value selecting objects by label equality. */
export function labelFilter(labels: Record<string, string | undefined>): { label: string[] } {
  const clauses = [`${LABEL.managed}`];
  for (const [key, value] of Object.entries(labels)) {
    if (value !== undefined) clauses.push(`${key}=${value}`);
  }
  return { label: clauses };
}
