import { z } from 'zod';
import type { AppErrorJson } from '../core/errors';

/**
 * The one contract between the UI and the back end. Both transports — Electron IPC and
 * WebSocket — carry exactly these methods, and the renderer never knows which it has.
 *
 * This module is "common" code: data shapes and parameter schemas only, nothing from Node
 * or Electron, so the renderer can import it. Parameters are validated with these schemas
 * where they enter the back end.
 */

export const methodParams = {
  /** Engine, node image and desktop facts, for the home screen's environment panel. */
  'environment.status': z.object({}).strict(),
  'labs.list': z.object({}).strict(),
  'sessions.list': z.object({}).strict(),
} as const;

export type MethodName = keyof typeof methodParams;
export type MethodParams<M extends MethodName> = z.input<(typeof methodParams)[M]>;

export interface ImageInfo {
  tag: string;
  present: boolean;
  image: { sizeBytes: number; created: string; builder: string | undefined } | undefined;
}

export interface EnvironmentStatus {
  engine: { ok: true; endpoint: string; version: string } | { ok: false; error: AppErrorJson };
  image: ImageInfo | undefined;
  desktop: { electron: boolean; detail: string };
}

export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  nodes: string[];
  networks: string[];
}

export interface SessionSummary {
  name: string;
  lab: string;
  state: 'running' | 'booting' | 'broken';
  problems: string[];
  nodes: { name: string; role: string; state: string; links: { interface: string; network: string; address?: string }[] }[];
}

export interface MethodResults {
  'environment.status': EnvironmentStatus;
  'labs.list': { labs: LabSummary[]; broken: { id: string; error: AppErrorJson }[] };
  'sessions.list': { sessions: SessionSummary[] };
}

/** What a call returns on every transport: a result, or the error as a structured value. */
export type Reply<M extends MethodName = MethodName> =
  | { ok: true; result: MethodResults[M] }
  | { ok: false; error: AppErrorJson };

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methodParams, name);
}
