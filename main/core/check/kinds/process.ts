import { z } from 'zod';
import { namespace, node, present } from './fields';
import { stateKind } from './kind';
import { presence, listed } from './text';

export const ProcessCheck = z
  .object({
    kind: z.literal('process'),
    node,
    name: z.enum(['dnsmasq', 'haproxy', 'neutron-ns-metadata-proxy', 'neutron-metadata-agent', 'nova-api-metadata', 'neutron-server']),
    namespace: namespace.optional(),
    present,
  })
  .strict();

export const processCheck = stateKind({
  kind: 'process',
  schema: ProcessCheck,
  inNamespace: false,
  read(check, snapshot, where) {
    const procs = snapshot.processes.filter((p) => p.command === check.name);
    const hit = procs.some((p) => check.namespace === undefined || p.namespace === check.namespace);
    const expected = `${presence(check.present, `${check.name} running${check.namespace ? ` in ${check.namespace}` : ''}`)} on ${where.node}`;
    return {
      passed: check.present === hit,
      expected,
      found: listed(
        procs.map((p) => `${p.command} (pid ${p.pid}) in ${p.namespace || 'the node'}`),
        `no ${check.name}`,
      ),
    };
  },
});
