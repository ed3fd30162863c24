import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labJsonSchema } from '../../lab/json-schema';
import { ACTIVE_KINDS, CheckSchema } from '../schema';
import { CHECK_KINDS, isProbeKind, kindOf } from '.';

/** The registry of check kinds: each module is what it says, once, and the rest derives from the list. */

describe('check kinds', () => {
  it('registers each kind once, under the kind its schema declares', () => {
    const names = CHECK_KINDS.map((k) => k.kind);
    expect(new Set(names).size).toBe(names.length);
    for (const kind of CHECK_KINDS) {
      expect(kind.schema).toBeInstanceOf(z.ZodObject);
      const shape = (kind.schema as unknown as z.ZodObject<{ kind: z.ZodLiteral<string> }>).shape;
      expect(shape.kind.value, kind.kind).toBe(kind.kind);
      expect(kindOf(kind.kind)).toBe(kind);
    }
    expect(() => kindOf('teleport')).toThrow(/no check kind "teleport" is registered/);
  });

  it('is a probe or reads a snapshot, never both; the active kinds are the probes, as before the registry', () => {
    for (const kind of CHECK_KINDS) expect('probe' in kind !== 'read' in kind, kind.kind).toBe(true);
    expect([...ACTIVE_KINDS].sort()).toEqual(
      CHECK_KINDS.filter(isProbeKind)
        .map((k) => k.kind)
        .sort(),
    );
    expect([...ACTIVE_KINDS].sort()).toEqual([
      'capture',
      'command',
      'counter',
      'dhcp',
      'follow',
      'http',
      'measure',
      'outage',
      'ping',
      'tcp',
      'trace',
      'walk',
    ]);
  });

  it('puts every registered kind, and all/any/not, in the check schema and the lab JSON Schema', () => {
    const json = JSON.stringify(labJsonSchema());
    for (const kind of [...CHECK_KINDS.map((k) => k.kind), 'all', 'any', 'not']) {
      // A known kind is let through to its own fields (missing ones), never refused for its kind.
      expect(
        (CheckSchema.safeParse({ kind }).error?.issues ?? []).filter((i) => i.path[0] === 'kind'),
        kind,
      ).toEqual([]);
      expect(json, kind).toContain(`"const":"${kind}"`);
    }
    expect(CheckSchema.safeParse({ kind: 'teleport' }).error?.issues.map((i) => i.path)).toEqual([['kind']]);
  });
});
