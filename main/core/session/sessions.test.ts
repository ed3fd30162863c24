import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { LABEL } from '../docker/labels';
import { describeEnd, describeSession, type NodeEnd, type SessionParts } from './sessions';

/** Sessions as the engine lists them, in the shapes listSessions groups; states are judged from these alone. */

const labels = {
  [LABEL.managed]: '2',
  [LABEL.session]: 'class-7',
  [LABEL.sessionId]: 'abc123',
  [LABEL.lab]: 'two-nodes',
  [LABEL.owner]: 'elsewhere:42',
  [LABEL.expectedNodes]: '2',
  [LABEL.expectedNetworks]: '1',
};

const container = (node: string, state: string): Docker.ContainerInfo =>
  ({
    Id: `id-${node}`,
    Names: [`/nl-class-7-${node}`],
    State: state,
    Created: 1_700_000_000,
    Labels: { ...labels, [LABEL.node]: node, [LABEL.role]: 'compute' },
  }) as unknown as Docker.ContainerInfo;
const network = {
  Name: 'nl-class-7-data',
  Created: '2023-11-14T22:13:20Z',
  Labels: { ...labels, [LABEL.network]: 'data' },
} as unknown as Docker.NetworkInspectInfo;

function parts(states: string[], options: { marked?: boolean; ends?: [string, NodeEnd][]; managed?: string } = {}): SessionParts {
  const own = { ...labels, [LABEL.managed]: options.managed ?? '2' };
  return {
    labels: own,
    containers: states.map((state, i) => container(`n${i}`, state)),
    networks: [network],
    ...(options.marked === false ? {} : { mark: { ...own, [LABEL.booted]: '2026-12-05T08:00:00Z' } }),
    ends: new Map(options.ends ?? []),
  };
}

const ownerAlive = () => true;
const ownerGone = () => false;

describe('describeSession', () => {
  it('is running when marked booted and every node runs', () => {
    const session = describeSession('abc123', parts(['running', 'running']), ownerGone);
    expect(session).toMatchObject({ name: 'class-7', state: 'running', problems: [] });
  });

  it('is booting while unmarked and its owner lives, even with every node running', () => {
    expect(describeSession('abc123', parts(['running', 'running'], { marked: false }), ownerAlive).state).toBe('booting');
  });

  it('is broken when every node runs but the boot never finished and its owner is gone (a killed `up`)', () => {
    const session = describeSession('abc123', parts(['running', 'running'], { marked: false }), ownerGone);
    expect(session).toMatchObject({ state: 'broken', booted: false, problems: ['its boot never finished'] });
  });

  it('is broken when a node of a booted session stopped, saying how it ended', () => {
    const session = describeSession(
      'abc123',
      parts(['running', 'exited'], { ends: [['id-n1', { exitCode: 137, oomKilled: true }]] }),
      ownerAlive,
    );
    expect(session).toMatchObject({ state: 'broken', booted: true, problems: ['node n1 exited 137 (out of memory)'] });
    expect(session.nodes[1]?.exit).toBe('exited 137 (out of memory)');
  });

  it('is broken when a booted session lost a node, whoever owns it', () => {
    expect(describeSession('abc123', parts(['running']), ownerAlive)).toMatchObject({
      state: 'broken',
      problems: ['1 of 2 nodes are missing'],
    });
  });

  it('counts a complete version-1 session (made before boot marks) as booted', () => {
    expect(describeSession('abc123', parts(['running', 'running'], { marked: false, managed: '1' }), ownerGone).state).toBe('running');
  });
});

describe('describeEnd', () => {
  it('names an out-of-memory kill, a plain kill and any other exit', () => {
    expect(describeEnd('exited', { exitCode: 137, oomKilled: true })).toBe('exited 137 (out of memory)');
    expect(describeEnd('exited', { exitCode: 137, oomKilled: false })).toBe('exited 137 (killed)');
    expect(describeEnd('exited', { exitCode: 1, oomKilled: false })).toBe('exited 1');
    expect(describeEnd('dead', undefined)).toBe('dead');
  });
});
