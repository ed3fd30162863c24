import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { AppError, toAppError, type AppErrorJson } from '../errors';
import { capture, describeTarget, type CaptureResult } from './capture';
import type { CapturedPacket, CaptureTarget } from './types';
import { toPcapng } from './pcapng';

/**
 * The captures one connection runs (the app's capture panel), by id, as TerminalHost keeps its
 * terminals: another connection's ids are unknown here. A capture runs until stopped, or until
 * it holds LIMIT packets; the connection closing stops them all.
 */

/** What a panel shows and a download carries comfortably: a few seconds of pings, a TCP handshake or two. */
export const CAPTURE_LIMIT = 1000;

export interface CaptureEvents {
  packet(id: string, packet: CapturedPacket): void;
  /** The capture ended without a stop: its limit reached, or an error (the node went away). */
  ended(id: string, error?: AppErrorJson): void;
}

interface Running {
  target: CaptureTarget;
  stop: AbortController;
  done: Promise<CaptureResult>;
}

export class CaptureHost {
  private readonly running = new Map<string, Running>();

  constructor(private readonly events: CaptureEvents) {}

  /** Starts a capture; answers once tcpdump listens, or with what was wrong (the interface, the namespace, the filter). */
  async start(container: Docker.Container, target: CaptureTarget, filter: string | undefined): Promise<string> {
    const id = randomBytes(8).toString('hex');
    const stop = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const done = capture(container, target, {
      ...(filter ? { filter } : {}),
      count: CAPTURE_LIMIT,
      signal: stop.signal,
      onListening: listening,
      onPacket: (packet) => this.events.packet(id, packet),
    });
    await Promise.race([ready, done]);
    this.running.set(id, { target, stop, done });
    done.then(
      () => stop.signal.aborted || this.events.ended(id),
      (error: unknown) => stop.signal.aborted || this.events.ended(id, toAppError(error).toJSON()),
    );
    return id;
  }

  /** Stops a capture (or takes one that reached its limit): its packets as a pcapng file. */
  async stop(id: string): Promise<{ packets: number; name: string; pcapng: Buffer }> {
    const running = this.running.get(id);
    if (!running) throw new AppError('state', 'No capture of yours runs under that id: it was stopped, or its window closed.');
    this.running.delete(id);
    running.stop.abort();
    const { packets, pcap } = await running.done;
    const name = describeTarget(running.target);
    return { packets: packets.length, name, pcapng: toPcapng([{ name, pcap }]) };
  }

  /** The connection went away: every capture ends, its file in the node removed. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    for (const running of all) running.stop.abort();
    await Promise.allSettled(all.map((running) => running.done));
  }
}
