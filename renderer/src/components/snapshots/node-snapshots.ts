import { shallowRef, type ShallowRef } from 'vue';
import type { NodeSnapshot, SnapshotDiff } from '../../../../main/api/view';
import { describeError, type Problem } from '../../stores/errors';
import { changeLines } from '../inspector/changes';
import type { Timers } from '../terminal/ack-batcher';
import { Poller } from './poller';

/**
 * The one reader of `node.snapshot` in a workspace. The topology, the inspector and the
 * namespace list each used to poll the same nodes on their own; now each subscribes to the nodes
 * it shows, and one poller per node reads it while any subscriber is on screen. Reads go one at
 * a time across nodes (the machine may have two cores), and every read asks for the diff, so
 * "what changed" is always between two consecutive reads, whoever wanted them.
 */

export const REFRESH_MS = 3000;
/** How many non-empty changes a node keeps for the inspector's history. */
export const HISTORY = 30;

export interface Change {
  at: number;
  diff: SnapshotDiff;
}

export interface NodeFeed {
  readonly snapshot: ShallowRef<NodeSnapshot | undefined>;
  readonly error: ShallowRef<Problem | undefined>;
  readonly loading: ShallowRef<boolean>;
  /** The diff of the last read, empty or not. */
  readonly latest: ShallowRef<Change | undefined>;
  /** Reads that changed something, newest first. */
  readonly history: ShallowRef<Change[]>;
  /** Reads now (joining a read in progress). */
  refresh(): Promise<void>;
}

export type ReadSnapshot = (node: string) => Promise<{ snapshot: NodeSnapshot; diff?: SnapshotDiff }>;

interface Entry {
  feed: NodeFeed;
  poller: Poller;
  subscribers: Set<() => boolean>;
}

export class NodeSnapshots {
  private readonly entries = new Map<string, Entry>();
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly read: ReadSnapshot,
    private readonly intervalMs = REFRESH_MS,
    private readonly timers?: Timers,
    private readonly now: () => number = Date.now,
  ) {}

  /** A node's feed; reading it does not start polling (subscribe does). */
  feed(node: string): NodeFeed {
    return this.entry(node).feed;
  }

  /**
   * Keeps a node fresh while `active()` says the subscriber is on screen; returns the function
   * that ends the subscription. The first subscriber starts the poller, the last one stops it.
   */
  subscribe(node: string, active: () => boolean = () => true): () => void {
    const entry = this.entry(node);
    const first = entry.subscribers.size === 0;
    entry.subscribers.add(active);
    if (first && !this.disposed) void entry.poller.start().catch(() => undefined);
    return () => {
      entry.subscribers.delete(active);
      if (entry.subscribers.size === 0) entry.poller.stop();
    };
  }

  /** Reads every subscribed node now, e.g. after solve or reset changed what exists. */
  refreshAll(): Promise<void> {
    const subscribed = [...this.entries.values()].filter((e) => e.subscribers.size > 0);
    return Promise.all(subscribed.map((e) => e.feed.refresh())).then(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.entries.values()) entry.poller.stop();
  }

  private entry(node: string): Entry {
    let entry = this.entries.get(node);
    if (entry) return entry;
    const feed: NodeFeed = {
      snapshot: shallowRef<NodeSnapshot>(),
      error: shallowRef<Problem>(),
      loading: shallowRef(false),
      latest: shallowRef<Change>(),
      history: shallowRef<Change[]>([]),
      refresh: (): Promise<void> => poller.now(),
    };
    const subscribers = new Set<() => boolean>();
    const poller: Poller = new Poller(
      () => this.serially(() => this.load(node, feed)),
      this.intervalMs,
      () => [...subscribers].some((a) => a()),
      this.timers,
    );
    entry = { feed, poller, subscribers };
    this.entries.set(node, entry);
    return entry;
  }

  /** One read at a time across all nodes. */
  private serially(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(node: string, feed: NodeFeed): Promise<void> {
    if (this.disposed) return;
    feed.loading.value = true;
    try {
      const { snapshot, diff } = await this.read(node);
      if (this.disposed) return;
      feed.snapshot.value = snapshot;
      feed.error.value = undefined;
      if (diff) {
        const change = { at: this.now(), diff };
        feed.latest.value = change;
        if (changeLines(diff).length > 0) feed.history.value = [change, ...feed.history.value].slice(0, HISTORY);
      }
    } catch (error) {
      // A node that cannot be read now (restarting, lab going down) keeps its last snapshot.
      feed.error.value = describeError(error);
    } finally {
      feed.loading.value = false;
    }
  }
}
