import { describe, expect, it } from 'vitest';
import type { LocatedProblem } from '../../../../main/api/view';
import { problemMarkers, sortProblems } from './markers';

const text = ['id: gre-tenant', 'topology:', '  nodes:', '    compute1:', '      role: comptue   ', ''].join('\n');
const problem = (
  severity: LocatedProblem['severity'],
  message: string,
  line?: number,
  column?: number,
  field?: string,
): LocatedProblem => ({
  severity,
  message,
  location: {
    file: 'labs/gre-tenant/lab.yaml',
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
    ...(field ? { field } : {}),
  },
});

describe('lint problems as Monaco markers', () => {
  it("marks from the column to the end of the line's text, keeping the severity", () => {
    expect(problemMarkers([problem('error', 'role must be network or compute', 5, 13)], text)).toEqual([
      {
        severity: 'error',
        message: 'role must be network or compute',
        startLineNumber: 5,
        startColumn: 13,
        endLineNumber: 5,
        endColumn: 20,
      },
    ]);
  });

  it('marks a whole line (from its indent) when there is no column', () => {
    expect(problemMarkers([problem('warning', 'node has no links', 4)], text)[0]).toMatchObject({
      severity: 'warning',
      startColumn: 5,
      endColumn: 14,
    });
  });

  it('puts a problem without a line on line 1, naming its field', () => {
    expect(problemMarkers([problem('error', 'is required', undefined, undefined, 'steps')], text)[0]).toEqual({
      severity: 'error',
      message: 'steps: is required',
      startLineNumber: 1,
      startColumn: 1,
      endLineNumber: 1,
      endColumn: 15,
    });
  });

  it('keeps markers inside the text when lint points past it', () => {
    const [marker] = problemMarkers([problem('error', 'unexpected end', 99, 40)], 'a: 1');
    expect(marker).toMatchObject({ startLineNumber: 1, startColumn: 5, endColumn: 6 });
    expect(problemMarkers([problem('error', 'empty', 1, 1)], '')[0]).toMatchObject({ startLineNumber: 1, startColumn: 1, endColumn: 2 });
  });

  it('sorts problems by position, errors first', () => {
    const sorted = sortProblems([problem('warning', 'w', 3, 1), problem('error', 'e2', 5), problem('error', 'e', 3, 1)]);
    expect(sorted.map((p) => p.message)).toEqual(['e', 'w', 'e2']);
  });
});
