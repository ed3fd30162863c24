import { describe, expect, it } from 'vitest';
import type { NodeSnapshot, SnapshotDiff } from '../../../../main/api/view';
import { RemoteError } from '../../transport/transport';
import type { Timers } from '../terminal/ack-batcher';
import { snapshot } from '../topology/fixtures.test-helpers';
import { NodeSnapshots } from './node-snapshots';

function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = { set: (callback) => (pending.set(next, callback), next++), clear: (handle) => pending.delete(handle as number) };
  return {
    timers,
    fire: () => {
      const callbacks = [...pending.values()];
      pending.clear();
      callbacks.forEach((c) => c());
    },
    get armed() {
      return pending.size;
    },
  };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const diff = (over: Partial<SnapshotDiff> = {}): SnapshotDiff => ({
  node: 'n',
  seconds: 3,
  bridges: { added: [], removed: [] },
  ports: [],
  flows: [],
  namespaces: { added: [], removed: [] },
  interfaces: [],
  rules: [],
  ...over,
});

/** A back end that counts reads per node and how many run at once. */
function backEnd(
  answer: (node: string, n: number) => { snapshot: NodeSnapshot; diff?: SnapshotDiff } | Error = (node) => ({
    snapshot: snapshot(node, [], []),
  }),
) {
  const reads: string[] = [];
  let inFlight = 0;
  let most = 0;
  const read = async (node: string) => {
    reads.push(node);
    inFlight++;
    most = Math.max(most, inFlight);
    await settle();
    inFlight--;
    const reply = answer(node, reads.filter((r) => r === node).length);
    if (reply instanceof Error) throw reply;
    return reply;
  };
  return { read, reads, most: () => most };
}

describe('NodeSnapshots, the one reader of node snapshots', () => {
  it('reads a node once however many views subscribe to it, and stops when the last one leaves', async () => {
    const clock = manualTimers();
    const back = backEnd();
    const store = new NodeSnapshots(back.read, 3000, clock.timers);
    const topology = store.subscribe('compute1');
    const inspector = store.subscribe('compute1');
    const namespaces = store.subscribe('compute1');
    await settle();
    await settle();
    expect(back.reads).toEqual(['compute1']);
    expect(store.feed('compute1').snapshot.value?.node).toBe('compute1');
    clock.fire();
    await settle();
    await settle();
    expect(back.reads).toEqual(['compute1', 'compute1']);
    topology();
    inspector();
    expect(clock.armed).toBe(1);
    namespaces();
    expect(clock.armed).toBe(0);
  });

  it('polls a node only while one of its subscribers is on screen', async () => {
    const clock = manualTimers();
    const back = backEnd();
    const store = new NodeSnapshots(back.read, 3000, clock.timers);
    let shown = false;
    store.subscribe('network', () => shown);
    await settle();
    await settle();
    expect(back.reads).toHaveLength(1); // the first read is not delayed
    clock.fire();
    await settle();
    expect(back.reads).toHaveLength(1);
    shown = true;
    clock.fire();
    await settle();
    await settle();
    expect(back.reads).toHaveLength(2);
    store.dispose();
  });

  it('reads one node at a time across nodes', async () => {
    const back = backEnd();
    const store = new NodeSnapshots(back.read, 3000, manualTimers().timers);
    store.subscribe('controller');
    store.subscribe('network');
    store.subscribe('compute1');
    await store.refreshAll();
    expect(new Set(back.reads)).toEqual(new Set(['controller', 'network', 'compute1']));
    expect(back.most()).toBe(1);
    store.dispose();
  });

  it('keeps the changes that changed something, newest first, whoever asked for the read', async () => {
    const back = backEnd((node, n) => ({
      snapshot: snapshot(node, [], []),
      ...(n === 1 ? {} : { diff: n === 2 ? diff() : diff({ namespaces: { added: [`qdhcp-${n}`], removed: [] } }) }),
    }));
    let clock = 0;
    const store = new NodeSnapshots(back.read, 3000, manualTimers().timers, () => ++clock);
    store.subscribe('network');
    const feed = store.feed('network');
    await feed.refresh();
    await feed.refresh();
    expect(feed.latest.value?.diff.namespaces.added).toEqual([]);
    expect(feed.history.value).toEqual([]);
    await feed.refresh();
    await feed.refresh();
    expect(feed.history.value.map((c) => c.diff.namespaces.added[0])).toEqual(['qdhcp-4', 'qdhcp-3']);
    store.dispose();
  });

  it("keeps the last snapshot when a read fails, and the back end's hint with the error", async () => {
    const back = backEnd((node, n) =>
      n === 1
        ? { snapshot: snapshot(node, [], []) }
        : new RemoteError('environment', 'Node "network" is not running.', 'Start the lab again.'),
    );
    const store = new NodeSnapshots(back.read, 3000, manualTimers().timers);
    store.subscribe('network');
    const feed = store.feed('network');
    await feed.refresh();
    await feed.refresh();
    expect(feed.snapshot.value?.node).toBe('network');
    expect(feed.error.value).toEqual({ message: 'Node "network" is not running.', hint: 'Start the lab again.' });
    store.dispose();
  });
});
