import type { z } from 'zod';
import type { ExecResult } from '../../docker/exec';
import type { NodeSnapshot } from '../../inspect/snapshot/types';
import type { VmPacketAsk } from '../vm-packet';
import type { FollowResult } from '../../capture/types';
import type { WalkResult } from '../walk-types';

/**
 * What a check kind is, in one module: its schema, and either how it reads a node's snapshot
 * (state kinds) or how it probes the lab (active kinds: traffic sent, commands run). The list in
 * ./index.ts registers each once; the check schema, the active kinds and every dispatch derive
 * from it, so a new kind is its module and one line there.
 */

export interface Outcome {
  passed: boolean;
  expected: string;
  found: string;
}

/** Where a check looks: a node and a namespace in it ('' for the node's own). */
export interface Where {
  node: string;
  namespace: string;
}

export type Runner = (
  node: string,
  argv: string[],
  options?: { onStdout?: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void; stdin?: string },
) => Promise<ExecResult>;

/** Any registered kind's check, as a probe hands it back to the round (traffic, the checks of an outage). */
export interface AnyCheck {
  kind: string;
}

export interface ProbeContext {
  run: Runner;
  /** A place's node and namespace ({ vm } → the VM's node and namespace). */
  where(place: { vm?: string | undefined; node?: string | undefined; namespace?: string | undefined }): Where;
  /** A VM's address, or the text itself when it is an address. */
  address(target: string): string;
  /** The VM's node and namespace, its address (the one it should lease, if dhcp) and its web server's port. */
  vm(name: string): { node: string; namespace: string; address: string; dhcp: boolean; http: number | undefined };
  /** Runs another probe (the traffic of a counter or capture, the checks of an outage). */
  probe(check: AnyCheck): Promise<Outcome>;
  /** Walks a VM's packet by the lab's flows, node after node (../walk.ts). */
  walk(ask: VmPacketAsk): Promise<WalkResult>;
  /** Sends a VM's packet and finds its copies on every interface of every node (../../capture/follow.ts). */
  follow(ask: VmPacketAsk): Promise<FollowResult>;
}

/** A kind read from one node's snapshot. */
export interface StateKind<K extends string, C> {
  kind: K;
  schema: z.ZodType<C>;
  /** Read inside a namespace (the check's, or its VM's): a namespace that is not there is found so. */
  inNamespace: boolean;
  /**
   * Reads only the OVS part of a snapshot (the database, the flows, the easyOVS record): a node
   * read for such checks alone takes `nl-snapshot ovs`, a third of the time of a whole one.
   */
  ovsOnly?: true;
  read(check: C, snapshot: NodeSnapshot, where: Where): Outcome;
}

/**
 * A kind that acts. `order`: dhcp first (a VM asks for its address before it talks), most
 * together, and last, one at a time, those that need the lab to themselves.
 */
export interface ProbeKind<K extends string, C> {
  kind: K;
  schema: z.ZodType<C>;
  order?: (check: C) => 'first' | 'together' | 'alone';
  probe(check: C, ctx: ProbeContext): Promise<Outcome>;
}

export const stateKind = <K extends string, C extends { kind: K }>(kind: StateKind<K, C>): StateKind<K, C> => kind;
export const probeKind = <K extends string, C extends { kind: K }>(kind: ProbeKind<K, C>): ProbeKind<K, C> => kind;
