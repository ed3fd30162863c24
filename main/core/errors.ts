/**
 * The one error type that crosses module, process and transport boundaries.
 *
 * Every failure a user can cause or fix (bad input, a missing engine, a lab that is
 * not up) is an AppError with a stable `code`, a message that says what was wrong
 * and where, and — when we know it — the exact fix. Anything else is a bug and is
 * reported as `internal`.
 */

export type ErrorCode =
  /** The command line itself is wrong (unknown flag, missing argument). */
  | 'usage'
  /** A file or value given to us is wrong (bad YAML, unknown lab, unknown node). */
  | 'input'
  /** The machine cannot do it yet (no Docker engine, engine too old, no node image). */
  | 'environment'
  /** The lab is not in a state that allows this (already up, not up). */
  | 'state'
  /** The caller may not do this (a workshop's student calling what only the instructor may). */
  | 'forbidden'
  /** The operation ran and failed (a command in a node failed, a node did not boot). */
  | 'failed'
  /** The user interrupted the operation. */
  | 'interrupted'
  /** A bug: something we did not expect. */
  | 'internal';

/** Process exit codes, documented in the README. */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  failed: 1,
  internal: 1,
  usage: 2,
  input: 2,
  environment: 3,
  state: 4,
  forbidden: 5,
  interrupted: 130,
};

/** Where in a file a problem is. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the offending field, e.g. `topology.nodes.compute1.links[0].network`. */
  field?: string;
}

/** A problem of a file that does not stop everything: lint's errors and warnings. */
export interface LocatedProblem {
  severity: 'error' | 'warning';
  message: string;
  location: SourceLocation;
}

export interface AppErrorOptions {
  /** One line that tells the user exactly what to do about it. */
  hint?: string;
  location?: SourceLocation;
  /** Further problems of the same kind (e.g. every schema error of a lab file). */
  problems?: AppErrorJson[];
  cause?: unknown;
}

/** The structured form an error takes on the wire (IPC, WebSocket, `--json`). */
export interface AppErrorJson {
  code: ErrorCode;
  message: string;
  hint?: string;
  location?: SourceLocation;
  problems?: AppErrorJson[];
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly problems: AppErrorJson[];

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.problems = options.problems ?? [];
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  toJSON(): AppErrorJson {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.location === undefined ? {} : { location: this.location }),
      ...(this.problems.length === 0 ? {} : { problems: this.problems }),
    };
  }
}

/** Turns anything thrown into an AppError; unknown errors become `internal`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal', message, { cause: error });
}

/** `file:line:column` (as far as known), the form editors and terminals make clickable. */
export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}
