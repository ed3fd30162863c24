import { z } from 'zod';
import type { AppErrorJson } from '../core/errors';
import type { DoctorReport } from '../core/doctor';
import type { ImageStatus } from '../core/image/node-image';
import type { SessionStatus } from '../core/session/sessions';

/**
 * The one contract between the UI and the back end. Both transports (Electron IPC and
 * WebSocket) carry exactly these methods; the renderer never knows which one it has.
 * Parameters are validated with these schemas where they enter the back end.
 */

export const methodParams = {
  /** Engine, node image and desktop facts, for the home screen's environment panel. */
  'environment.status': z.object({}).strict(),
  /** The full doctor run, which boots a probe node (a few seconds). */
  'environment.doctor': z.object({}).strict(),
  'labs.list': z.object({}).strict(),
  'sessions.list': z.object({}).strict(),
} as const;

export type MethodName = keyof typeof methodParams;

export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  nodes: string[];
}

export interface EnvironmentStatus {
  engine: { ok: true; endpoint: string; version: string } | { ok: false; error: AppErrorJson };
  image: ImageStatus | undefined;
  desktop: { electron: boolean; detail: string };
}

export interface MethodResults {
  'environment.status': EnvironmentStatus;
  'environment.doctor': DoctorReport;
  'labs.list': { labs: LabSummary[]; broken: { id: string; error: AppErrorJson }[] };
  'sessions.list': { sessions: SessionStatus[] };
}

export type MethodParams<M extends MethodName> = z.input<(typeof methodParams)[M]>;

/** What a transport returns: a result, or an error as a structured value (never a lost stack). */
export type Reply<M extends MethodName> = { ok: true; result: MethodResults[M] } | { ok: false; error: AppErrorJson };

export const METHOD_NAMES = Object.keys(methodParams) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methodParams, name);
}
