import { describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../inspect/snapshot/types';
import { OvsShowCheck, ovsShowCheck, parseShape } from './ovs-show';

const shape = `Bridge br-int
    Port br-int
        Interface br-int
            type: internal
    Port "qvo1"
        tag: 1
        Interface "qvo1"`;

describe('parseShape', () => {
  it('reads the bridges, ports, tags and interface types of a listing, skipping other lines', () => {
    const parsed = parseShape(`efd98c87-dc62-422d-8f73-a68c2a14e73d\n${shape}\n    ovs_version: "1.11.0"`);
    expect([...parsed.keys()]).toEqual(['br-int']);
    expect(parsed.get('br-int')).toEqual(
      new Map([
        ['br-int', { interfaces: new Map([['br-int', 'internal']]) }],
        ['qvo1', { tag: 1, interfaces: new Map([['qvo1', '']]) }],
      ]),
    );
  });

  it('says where a listing is malformed', () => {
    expect(() => parseShape('Port p')).toThrow('line 1 of the shape ("Port p"): a Port outside a Bridge');
    expect(() => parseShape('Bridge b\n  Port p\n    Interface p\n    tag: 1')).toThrow(
      'line 4 of the shape ("tag: 1"): a tag belongs to a Port',
    );
    expect(() => parseShape('ovs_version: "2"')).toThrow('the shape lists no Bridge');
    expect(OvsShowCheck.safeParse({ kind: 'ovs-show', node: 'n', shape: 'Port p' }).error?.issues[0]?.message).toContain(
      'a Port outside a Bridge',
    );
  });
});

describe('the ovs-show check', () => {
  /** A snapshot whose OVSDB holds br-int with these ports: [name, tag, interface type]; the check reads no other column. */
  const snapshot = (ports: [string, number | undefined, string][]): NodeSnapshot =>
    ({
      ovs: {
        bridges: [
          {
            name: 'br-int',
            ports: ports.map(([name, tag, type]) => ({
              name,
              ...(tag === undefined ? {} : { tag }),
              trunks: [],
              interfaces: [{ name, type, options: {} }],
            })),
          },
        ],
      },
    }) as unknown as NodeSnapshot;
  const check = OvsShowCheck.parse({ kind: 'ovs-show', node: 'compute1', shape });
  const read = (s: NodeSnapshot, c = check) => ovsShowCheck.read(c, s, { node: 'compute1', namespace: '' });

  it('passes on the same structure, whatever the order of the ports', () => {
    expect(
      read(
        snapshot([
          ['qvo1', 1, ''],
          ['br-int', undefined, 'internal'],
        ]),
      ),
    ).toMatchObject({ passed: true, found: 'that shape' });
  });

  it('names each difference: a tag, a type, a missing port, a port the listing lacks', () => {
    const outcome = read(
      snapshot([
        ['br-int', undefined, 'system'],
        ['qvo1', 2, ''],
        ['stray', undefined, 'internal'],
      ]),
    );
    expect(outcome.passed).toBe(false);
    expect(outcome.expected).toBe("compute1's ovs-vsctl show has br-int with br-int, qvo1 (tag 1), no other ports");
    expect(outcome.found).toBe('br-int is of type system, not internal; qvo1 has tag 2, not 1; br-int also has port stray');
    expect(read(snapshot([['br-int', undefined, 'internal']])).found).toBe('br-int has no port qvo1');
    // Not exact: other ports may be there.
    const loose = OvsShowCheck.parse({ kind: 'ovs-show', node: 'compute1', shape, exact: false });
    expect(
      read(
        snapshot([
          ['br-int', undefined, 'internal'],
          ['qvo1', 1, ''],
          ['stray', undefined, ''],
        ]),
        loose,
      ).passed,
    ).toBe(true);
  });
});
