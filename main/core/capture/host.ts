import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { AppError, toAppError, type AppErrorJson } from '../errors';
import { execArgvBytes } from '../docker/exec';
import { capture, describeTarget, type CaptureResult } from './capture';
import type { PacketRange } from './decoder';
import { Batcher } from './batch';
import { CAPTURE_LIMIT, CAPTURE_SECONDS, type CapturedPacket, type CaptureTarget, type DecodedPacket } from './types';
import { toPcapng } from './pcapng';

/**
 * The captures one connection runs (the app's capture panel), by id, as TerminalHost keeps its
 * terminals: another connection's ids are unknown here. A capture runs until stopped, or until
 * it holds CAPTURE_LIMIT packets or has run CAPTURE_SECONDS; the connection closing stops them
 * all. Packets go out in batches (batch.ts): a flood is a few messages a second, none dropped.
 */

export interface CaptureEvents {
  packets(id: string, packets: CapturedPacket[]): void;
  /** The capture ended without a stop: a limit reached (which), or an error (the node went away). */
  ended(id: string, end: { error?: AppErrorJson; limit?: 'count' | 'time' }): void;
}

/** Decodes packets `from` to `to` of a pcap file (the decoder container, bound to an engine). */
export type Decode = (pcap: Buffer, range: PacketRange) => Promise<DecodedPacket[]>;

/** A click decodes the packets around the one clicked too: the next clicks, on its neighbours, cost nothing. */
const AROUND = 25;

interface Running {
  target: CaptureTarget;
  stop: AbortController;
  done: Promise<CaptureResult>;
  /** The packets so far, as pcap: the file tcpdump writes in the node. */
  soFar: () => Promise<Buffer>;
  /** Packets decoded so far, by number. */
  decoded: Map<number, DecodedPacket>;
  /** How many packets tcpdump has reported. */
  seen: number;
}

/** Stopped captures stay decodable while their panel shows them: the last few of the connection. */
const KEPT_STOPPED = 4;

export class CaptureHost {
  private readonly running = new Map<string, Running>();
  private readonly stopped = new Map<string, { pcap: Buffer; decoded: Map<number, DecodedPacket>; seen: number }>();

  constructor(
    private readonly events: CaptureEvents,
    private readonly decode: Decode,
  ) {}

  /** Starts a capture; answers once tcpdump listens, or with what was wrong (the interface, the namespace, the filter). */
  async start(container: Docker.Container, target: CaptureTarget, filter: string | undefined): Promise<string> {
    const id = randomBytes(8).toString('hex');
    const stop = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    let file: string | undefined;
    const batches = new Batcher<CapturedPacket>((packets) => this.events.packets(id, packets));
    const done = capture(container, target, {
      ...(filter ? { filter } : {}),
      count: CAPTURE_LIMIT,
      seconds: CAPTURE_SECONDS,
      signal: stop.signal,
      onListening: listening,
      onFile: (path) => (file = path),
      onPacket: (packet) => {
        const running = this.running.get(id);
        if (running) running.seen++;
        batches.push(packet);
      },
    });
    await Promise.race([ready, done]);
    const soFar = async () => {
      if (!file) return Buffer.alloc(0);
      const read = await execArgvBytes(container, ['cat', '--', file]);
      // The capture ended meanwhile: its file is gone, its packets are in `done`.
      return read.exitCode === 0 ? read.stdout : (await done).pcap;
    };
    this.running.set(id, { target, stop, done, soFar, decoded: new Map(), seen: 0 });
    // Its last packets go out before its end, and none after a stop's answer.
    done.then(
      (result) => {
        batches.drain();
        if (!stop.signal.aborted) this.events.ended(id, result.limit ? { limit: result.limit } : {});
      },
      (error: unknown) => {
        batches.drain();
        if (!stop.signal.aborted) this.events.ended(id, { error: toAppError(error).toJSON() });
      },
    );
    return id;
  }

  /** Stops a capture (or takes one that reached its limit): its packets as a pcapng file. */
  async stop(id: string): Promise<{ packets: number; dropped: number; name: string; pcapng: Buffer }> {
    const running = this.running.get(id);
    if (!running || running.stop.signal.aborted) throw unknownCapture();
    // It stays listed while tcpdump finishes, so that a decode asked for meanwhile finds it.
    running.stop.abort();
    const { packets, pcap, dropped = 0 } = await running.done.finally(() => this.running.delete(id));
    this.stopped.set(id, { pcap, decoded: running.decoded, seen: packets.length });
    for (const old of [...this.stopped.keys()].slice(0, -KEPT_STOPPED)) this.stopped.delete(old);
    const name = describeTarget(running.target);
    return { packets: packets.length, dropped, name, pcapng: toPcapng([{ name, pcap }]) };
  }

  /** Packet `number` (from 1) of a running or recently stopped capture, as Wireshark's tree. */
  async decodePacket(id: string, number: number): Promise<DecodedPacket> {
    const capture = this.running.get(id) ?? this.stopped.get(id);
    if (!capture) throw unknownCapture();
    const known = capture.decoded.get(number);
    if (known) return known;
    if (number > capture.seen) throw new AppError('input', `The capture holds ${capture.seen} packets so far, not ${number}.`);
    const pcap = 'soFar' in capture ? await capture.soFar() : capture.pcap;
    const range = { from: Math.max(1, number - AROUND), to: Math.min(capture.seen, number + AROUND) };
    for (const packet of await this.decode(pcap, range)) capture.decoded.set(packet.number, packet);
    const packet = capture.decoded.get(number);
    if (!packet) throw new AppError('failed', `tshark did not find packet ${number} in the capture.`);
    return packet;
  }

  /** The connection went away: every capture ends, its file in the node removed. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    this.stopped.clear();
    for (const running of all) running.stop.abort();
    await Promise.allSettled(all.map((running) => running.done));
  }
}

function unknownCapture(): AppError {
  return new AppError('state', 'No capture of yours runs under that id: it was stopped, or its window closed.');
}
