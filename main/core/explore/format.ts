/**
 * Output as python-openstackclient (cliff) prints it: a Field/Value table for one object, a
 * table with a header row for a list; `-f json|yaml|value`, `-c COLUMN` (repeatable).
 */

export type Value = string | number | boolean | null | readonly string[];
/** One object's fields, in the order they print. */
export type Row = ReadonlyArray<readonly [string, Value]>;

export type Format = 'table' | 'json' | 'yaml' | 'value';
export const FORMATS: readonly Format[] = ['table', 'json', 'yaml', 'value'];

export interface OutputOptions {
  format: Format;
  columns: readonly string[];
}

/** Only the columns asked for, in the order asked; an unknown one is an error, as cliff's. */
function select(columns: readonly string[], all: readonly string[]): string[] {
  if (columns.length === 0) return [...all];
  for (const c of columns) {
    if (!all.includes(c))
      throw new UsageError(`No recognized column names in ['${c}']. Recognized columns are ${all.map((a) => `'${a}'`).join(', ')}.`);
  }
  return [...columns];
}

/** A usage error: exit code 2, as argparse's. */
export class UsageError extends Error {}

const text = (value: Value): string => {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
};

const json = (value: Value): unknown => value;

function yamlScalar(value: Value): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  const s = String(value);
  // Quoted where YAML would read it otherwise (PyYAML's safe_dump quotes the same cases).
  const plain =
    s !== '' && !/^[-?:,[\]{}#&*!|>'"%@`\s]|: | #|\s$|^(true|false|null|yes|no|on|off|~|[-+]?[\d.][\d._]*(e[-+]?\d+)?)$/i.test(s);
  return plain ? s : `'${s.replaceAll("'", "''")}'`;
}

function yamlEntry(key: string, value: Value, indent: string): string[] {
  if (Array.isArray(value))
    return value.length === 0 ? [`${indent}${key}: []`] : [`${indent}${key}:`, ...value.map((v) => `${indent}- ${yamlScalar(v)}`)];
  return [`${indent}${key}: ${yamlScalar(value as Value)}`];
}

/** A grid: +---+ rules, | cells |, multi-line cells (a list prints one item per line). */
function grid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = (cell: string) => cell.split('\n');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.flatMap((r) => lines(r[i] ?? '').map((l) => l.length))));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const render = (cells: readonly string[]) => {
    const height = Math.max(1, ...cells.map((c) => lines(c).length));
    return Array.from({ length: height }, (_, k) => `| ${cells.map((c, i) => (lines(c)[k] ?? '').padEnd(widths[i]!)).join(' | ')} |`);
  };
  return [rule, ...render(header), rule, ...rows.flatMap(render), rule].join('\n');
}

const cell = (value: Value): string => (Array.isArray(value) ? value.join('\n') : text(value));

export function formatOne(row: Row, options: OutputOptions): string {
  const names = select(
    options.columns,
    row.map(([k]) => k),
  );
  const fields = names.map((n) => [n, row.find(([k]) => k === n)![1]] as const);
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(Object.fromEntries(fields.map(([k, v]) => [k, json(v)])), null, 2)}\n`;
    case 'yaml':
      return `${fields.flatMap(([k, v]) => yamlEntry(k, v, '')).join('\n')}\n`;
    case 'value':
      return `${fields.map(([, v]) => text(v)).join('\n')}\n`;
    case 'table':
      return `${grid(
        ['Field', 'Value'],
        fields.map(([k, v]) => [k, cell(v)]),
      )}\n`;
  }
}

export function formatList(columns: readonly string[], rows: readonly Row[], options: OutputOptions): string {
  const names = select(options.columns, columns);
  const value = (row: Row, name: string): Value => row.find(([k]) => k === name)?.[1] ?? null;
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(
        rows.map((r) => Object.fromEntries(names.map((n) => [n, json(value(r, n))]))),
        null,
        2,
      )}\n`;
    case 'yaml':
      return rows.length === 0
        ? '[]\n'
        : `${rows.flatMap((r) => names.flatMap((n, i) => yamlEntry(n, value(r, n), '  ').map((l, j) => (i === 0 && j === 0 ? `- ${l.slice(2)}` : l)))).join('\n')}\n`;
    case 'value':
      return rows.map((r) => `${names.map((n) => text(value(r, n))).join(' ')}\n`).join('');
    case 'table':
      return rows.length === 0
        ? ''
        : `${grid(
            names,
            rows.map((r) => names.map((n) => cell(value(r, n)))),
          )}\n`;
  }
}
