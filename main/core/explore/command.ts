import { type OutputOptions, type Row, UsageError } from './format';
import { ApiError, type Sandbox } from './neutron';

/** A command of the sandbox's clients: its options, its arguments and what it asks the server. */

export interface Parsed {
  options: Map<string, string[]>;
  flags: Set<string>;
  positionals: string[];
  output: OutputOptions;
}

export interface Command {
  /** Options that take a value (repeatable: every value kept). */
  valued: readonly string[];
  flags: readonly string[];
  /** Positional arguments: their names for usage; `...` for one or more. */
  positionals: readonly string[];
  run(sb: Sandbox, args: Parsed): { one: Row } | { list: Row[]; columns: readonly string[] } | { none: true };
  /** Changes the cloud (its agents then render the difference). */
  changes?: true;
}

export const one = (args: Parsed, name: string): string | undefined => args.options.get(name)?.at(-1);
export const number = (args: Parsed, name: string): number | undefined => {
  const value = one(args, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`argument ${name}: invalid int value: '${value}'`);
  return Number(value);
};
export const choice = <T extends string>(args: Parsed, name: string, choices: readonly T[]): T | undefined => {
  const value = one(args, name);
  if (value !== undefined && !choices.includes(value as T)) {
    throw new UsageError(`argument ${name}: invalid choice: '${value}' (choose from ${choices.map((c) => `'${c}'`).join(', ')})`);
  }
  return value as T | undefined;
};
/** A choice that must be made: `--protocol {tcp,udp}` with no default. */
export const requiredChoice = <T extends string>(args: Parsed, name: string, choices: readonly T[]): T =>
  choice(args, name, choices) ?? (required(args, name) as T);
export const required = (args: Parsed, name: string): string => {
  const value = one(args, name);
  if (value === undefined) throw new UsageError(`the following arguments are required: ${name}`);
  return value;
};

/** Deletes each named resource; a failure does not stop the rest, as the client's `delete` does. */
export function deleteEach(what: string, remove: (sb: Sandbox, name: string) => void) {
  return (sb: Sandbox, args: Parsed): { none: true } => {
    const failures: string[] = [];
    for (const name of args.positionals) {
      try {
        remove(sb, name);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        failures.push(`Failed to delete ${what} with name or ID '${name}': ${error.kind}: ${error.message}`);
      }
    }
    if (failures.length > 0) {
      throw new ApiError(
        'ConflictException',
        `${failures.join('\n')}\n${failures.length} of ${args.positionals.length} ${what}s failed to delete.`,
      );
    }
    return { none: true };
  };
}

/** A change to two named things (`router add subnet ROUTER SUBNET`), which prints nothing. */
export function onTwo(names: [string, string], act: (sb: Sandbox, first: string, second: string) => void): Command {
  return {
    valued: [],
    flags: [],
    positionals: names,
    changes: true,
    run: (sb, args) => {
      act(sb, args.positionals[0]!, args.positionals[1]!);
      return { none: true };
    },
  };
}

/**
 * `--disable` (admin_state_up False; the legacy client's `--admin-state-down`) is the client's,
 * but the sandbox's agents do not model an object kept down (the OVS agent would put its ports
 * on the dead VLAN, the L3 agent drop the router, HAProxy leave a member out): refused, rather
 * than accepted and ignored.
 */
export function refuseDisabled(args: Parsed, what: string): void {
  const flag = ['--disable', '--admin-state-down'].find((name) => args.flags.has(name));
  if (flag)
    throw new UsageError(
      `argument ${flag}: this sandbox does not model a ${what} kept administratively down (admin_state_up False); leave it out`,
    );
}
