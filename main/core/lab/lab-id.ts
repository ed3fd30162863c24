import { AppError } from '../errors';

/**
 * The one rule for what names a lab, wherever a name comes in (the API, the CLI, the progress
 * store). An id becomes a folder in the labs folder and a file in the progress folder, so it
 * must never be able to spell a path: no "/", no "..", no absolute path, nothing empty.
 * Pure (no Node imports): the contract, which the renderer bundles, uses it too.
 */

export const LAB_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;
export const LAB_ID_RULE = 'a lab id is 2–40 lowercase letters, digits and "-", starting with a letter';

export function isLabId(value: unknown): value is string {
  return typeof value === 'string' && LAB_ID_PATTERN.test(value);
}

/** `value` if it is a lab id; else an `input` error naming the value and where it came from. */
export function assertLabId(value: unknown, where: string): string {
  if (isLabId(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : typeof value;
  throw new AppError('input', `${where}: ${shown} is not a lab id (${LAB_ID_RULE}).`, {
    hint: 'Name a lab from the catalogue (`neutron-lab labs`), not a path.',
  });
}
