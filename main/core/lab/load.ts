import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { AppError, formatLocation, type AppErrorJson, type LocatedProblem, type SourceLocation } from '../errors';

import { validateTopology, type Problem } from '../topology/validate';
import { LabSchema, type Lab } from './schema';
import { validateLab } from './validate';

/** A lab file read, validated and located: every problem points at a line and column. */
export interface LoadedLab {
  lab: Lab;
  file: string;
  /** The folder the lab's other files (guides) are read from. */
  dir: string;
  warnings: LocatedProblem[];
  /** The sha256 of the text parsed: a running lab's pin compares it with the file's (is it stale?). */
  sha256: string;
}

/** Reads and validates a lab file; an `input` AppError listing every problem otherwise. */
export async function loadLabFile(file: string): Promise<LoadedLab> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new AppError('input', `Cannot read lab file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return parseLab(decodeUtf8(bytes, file), file);
}

/** A lab file's text; an `input` error at the first line that is not UTF-8 (never silently mangled). */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // The lenient decoding marks each bad sequence with U+FFFD: the first one's line is the place.
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const line = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD'))).split('\n').length;
    const location = { file, line };
    throw new AppError('input', `${formatLocation(location)}: the lab file is not UTF-8 text; save it as UTF-8.`, { location });
  }
}

/**
 * Aliases a lab may use. Real labs use a handful (shared flows, repeated ports); a "billion
 * laughs" file uses thousands to expand into gigabytes, and is refused at its first alias.
 */
const MAX_ALIASES = 100;

export function parseLab(text: string, file: string): LoadedLab {
  const { problems, lab } = lintLab(text, file);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !lab) throw labFileError(file, errors);
  return {
    lab,
    file,
    dir: dirname(file),
    warnings: problems.filter((p) => p.severity === 'warning'),
    sha256: createHash('sha256').update(text).digest('hex'),
  };
}

/** Every problem of a lab file without throwing: what `lint` and the editor show. */
export function lintLab(text: string, file: string): { lab: Lab | undefined; problems: LocatedProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, field?: string): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, ...(field ? { field } : {}) };
  };

  if (doc.errors.length > 0) {
    return {
      lab: undefined,
      problems: doc.errors.map((e) => ({
        severity: 'error',
        message: `YAML: ${e.message.split('\n')[0]}`,
        location: at(e.pos[0]),
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    let first = 0;
    visit(doc, { Alias: (_key, node) => ((first = node.range?.[0] ?? 0), visit.BREAK) });
    return {
      lab: undefined,
      problems: [{ severity: 'error', message: `YAML: ${(error as Error).message} (at most ${MAX_ALIASES} aliases)`, location: at(first) }],
    };
  }
  const parsed = LabSchema.safeParse(data ?? {});
  if (!parsed.success) {
    return {
      lab: undefined,
      problems: parsed.error.issues.flatMap((issue) => zodProblems(issue, data, doc, at)),
    };
  }
  const semantic: Problem[] = validateTopology(parsed.data.topology);
  // Cross-references are checked once the topology itself holds together.
  if (!semantic.some((p) => p.severity === 'error'))
    semantic.push(...validateLab(parsed.data, file.startsWith('<') ? undefined : dirname(file)));
  const problems = semantic.map((p): LocatedProblem => ({
    severity: p.severity,
    message: p.message,
    location: at(offsetOf(doc, p.path), formatPath(p.path)),
  }));
  return { lab: parsed.data, problems };
}

function zodProblems(
  issue: z.core.$ZodIssue,
  data: unknown,
  doc: Document,
  at: (offset: number, field?: string) => SourceLocation,
): LocatedProblem[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      severity: 'error' as const,
      message: `unknown field "${key}"${path.length ? ` in ${formatPath(path)}` : ''}`,
      location: at(offsetOf(doc, [...path, key], true), formatPath([...path, key])),
    }));
  }
  return [
    {
      severity: 'error',
      message: valueAt(data, path) === undefined ? `missing required field "${String(path.at(-1) ?? '')}"` : issue.message,
      location: at(offsetOf(doc, path), path.length ? formatPath(path) : undefined),
    },
  ];
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Offset of the node at `path`, or of the deepest ancestor that exists (missing fields). */
function offsetOf(doc: Document, path: (string | number)[], wantKey = false): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as YamlNode | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
      if (!pair) break;
      const keyNode = pair.key as YamlNode | null;
      const valueNode = pair.value as YamlNode | null;
      const last = segment === path.at(-1);
      offset = (wantKey && last ? keyNode?.range?.[0] : (valueNode?.range?.[0] ?? keyNode?.range?.[0])) ?? offset;
      node = valueNode;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** `topology.nodes.compute1.links[0].network` */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment),
    '',
  );
}

function labFileError(file: string, problems: LocatedProblem[]): AppError {
  const list: AppErrorJson[] = problems.map((p) => ({ code: 'input', message: p.message, location: p.location }));
  const first = problems[0];
  const headline = first
    ? `${formatLocation(first.location)}: ${first.location.field ? `${first.location.field}: ` : ''}${first.message}`
    : `${file} is not a valid lab file`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new AppError('input', `${headline}${more}`, {
    ...(first ? { location: first.location } : {}),
    problems: list,
  });
}
