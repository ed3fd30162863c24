import type { LocatedProblem } from '../../../../main/api/view';

/**
 * Lint problems as editor markers: Monaco wants a range, lint gives a line and (usually) a
 * column. A problem is underlined from its column (or the line's first character) to the end
 * of the line's text, so a bad value or key is marked whole; one without a line marks line 1.
 * Kept free of Monaco so it can be tested; the component maps the severity to Monaco's.
 */

export interface Marker {
  severity: LocatedProblem['severity'];
  message: string;
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

export function problemMarkers(problems: readonly LocatedProblem[], text: string): Marker[] {
  const lines = text.split(/\r?\n/);
  return problems.map((problem) => {
    const { line, column, field } = problem.location;
    const lineNumber = clamp(line ?? 1, 1, lines.length);
    const lineText = lines[lineNumber - 1] ?? '';
    const end = lineText.trimEnd().length + 1;
    const indent = lineText.length - lineText.trimStart().length + 1;
    const startColumn = clamp(column ?? indent, 1, lineText.length + 1);
    return {
      severity: problem.severity,
      // Without a line, the field path is all that says where.
      message: line === undefined && field ? `${field}: ${problem.message}` : problem.message,
      startLineNumber: lineNumber,
      startColumn,
      endLineNumber: lineNumber,
      endColumn: end > startColumn ? end : startColumn + 1,
    };
  });
}

/** Problems in reading order: by line, then column, errors before warnings on the same spot. */
export function sortProblems(problems: readonly LocatedProblem[]): LocatedProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.location.line ?? 0) - (b.location.line ?? 0) ||
      (a.location.column ?? 0) - (b.location.column ?? 0) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
