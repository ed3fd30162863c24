import { addressCheck } from './address';
import { bridgeCheck } from './bridge';
import { captureCheck } from './capture';
import { commandCheck } from './command';
import { counterCheck } from './counter';
import { dhcpProbe } from './dhcp';
import { easyOvsCheck } from './easyovs';
import { flowCheck } from './flow';
import { followCheck } from './follow';
import { httpProbe } from './http';
import { ipRuleCheck } from './ip-rule';
import { iptablesCheck } from './iptables';
import { linkCheck } from './link';
import { measureProbe } from './measure';
import { namespaceCheck } from './namespace';
import { neighbourCheck } from './neighbour';
import { outageCheck } from './outage';
import { ovsShowCheck } from './ovs-show';
import { pingProbe } from './ping';
import { portCheck } from './port';
import { processCheck } from './process';
import { routeCheck } from './route';
import { tcpProbe } from './tcp';
import { traceCheck } from './trace';
import { walkCheck } from './walk';

/**
 * Every check kind, registered once, in the order the JSON Schema lists them. The check schema,
 * the active kinds and the round's dispatch derive from this list; all, any and not compose
 * them (../schema.ts).
 */
export const CHECK_KINDS = [
  bridgeCheck,
  portCheck,
  ovsShowCheck,
  flowCheck,
  iptablesCheck,
  namespaceCheck,
  addressCheck,
  linkCheck,
  routeCheck,
  ipRuleCheck,
  neighbourCheck,
  processCheck,
  pingProbe,
  tcpProbe,
  httpProbe,
  dhcpProbe,
  traceCheck,
  walkCheck,
  followCheck,
  commandCheck,
  counterCheck,
  captureCheck,
  outageCheck,
  measureProbe,
  easyOvsCheck,
] as const;

type Registered = (typeof CHECK_KINDS)[number];
/** A registered kind that acts (probes) or reads a snapshot (state). */
export type RegisteredProbe = Extract<Registered, { probe: unknown }>;
export type RegisteredState = Extract<Registered, { read: unknown }>;

export const isProbeKind = (kind: Registered): kind is RegisteredProbe => 'probe' in kind;

const byName = new Map<string, Registered>(CHECK_KINDS.map((k) => [k.kind, k]));

/** The registered kind of a check's kind name (an unknown name is the schema's to refuse, never here). */
export function kindOf(name: string): Registered {
  const kind = byName.get(name);
  if (!kind) throw new Error(`no check kind "${name}" is registered`);
  return kind;
}
