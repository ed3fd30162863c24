import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { createBrotliDecompress } from 'node:zlib';
import type Docker from 'dockerode';
import type { Engine } from '../docker/engine';
import { execArgvBytes } from '../docker/exec';
import { AppError } from '../errors';
import { ensureDecoderImage } from '../image/decoder-image';
import { PdmlReader } from './pdml';
import type { DecodedPacket } from './types';

/**
 * Decoding captured packets with Wireshark's dissectors. tshark runs in one decoder container
 * per engine, beside the nodes, started on first use and gone after ten idle minutes. It reads
 * packets it is handed on standard input and nothing else: no network, no capabilities, no
 * writable file system but a small /tmp, each decode as a user of its own, bounded in memory and
 * processes — the packets come from labs (a workshop's students among them), and dissectors parse them.
 */

const CONTAINER = 'neutron-lab-decoder';
/** tshark peaked at 160 MB decoding a few packets; thousands need more. */
const MEMORY_BYTES = 768 * 1024 * 1024;

/** How much inflated PDML each step of the decompressor hands on (zlib's default: 16 kB). */
const INFLATED_CHUNK_BYTES = 1 << 20;

let running: Promise<Docker.Container> | undefined;

/** Which packets of a capture to decode, by number from 1, both ends included; all when absent. */
export interface PacketRange {
  from: number;
  to: number;
}

/**
 * The packets of a pcap or pcapng file as Wireshark's tree: those of `range`, or all. tshark
 * dissects the packets before the range too without printing them (a TCP stream's analysis
 * needs them), and stops reading after it: packet 9,999 of 10,000 costs a fifth of all of them.
 */
export async function decodePackets(engine: Engine, capture: Buffer | Promise<Buffer>, range?: PacketRange): Promise<DecodedPacket[]> {
  if (range && !(Number.isInteger(range.from) && Number.isInteger(range.to) && range.from >= 1 && range.to >= range.from)) {
    throw new AppError('input', `Packets are numbered from 1: ${range.from} to ${range.to} is no range of them.`);
  }
  const select = range ? ['-c', String(range.to), '-Y', `frame.number >= ${range.from}`] : [];
  return runTshark(engine, capture, [...select, '-T', 'pdml']);
}

/** Stops and removes the decoder (the benchmark's cold start; it would go by itself after ten idle minutes). */
export async function stopDecoder(engine: Engine): Promise<void> {
  running = undefined;
  const container = engine.docker.getContainer(decoderName(await ensureDecoderImage(engine)));
  await engine.call('removing the decoder', () => container.remove({ force: true })).catch(() => undefined);
  // AutoRemove finishes in the background: wait until the name is free.
  for (let i = 0; i < 50; i++) {
    const gone = await container.inspect().then(
      () => false,
      () => true,
    );
    if (gone) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runTshark(engine: Engine, capture: Buffer | Promise<Buffer>, args: string[]): Promise<DecodedPacket[]> {
  const argv = ['nl-decode', ...args];
  // Each decode is a user of its own: the decoder serves every lab on the engine (a workshop's
  // students all), and a dissector that a crafted packet subverted could otherwise read what
  // another decode running beside it is handed (same user: its /proc, its open files).
  const uid = 100_000 + randomInt(900_000);
  const run = async () => {
    // nl-decode compresses what tshark prints (see the decoder's setup.sh).
    const reader = new PdmlReader();
    // A megabyte at a time, as the reader reads: at zlib's 16 kB, 121 MB of PDML took 7,400 trips
    // between the thread pool and this thread, and finished inflating half a second after tshark.
    const inflate = createBrotliDecompress({ chunkSize: INFLATED_CHUNK_BYTES });
    inflate.on('data', (chunk: Buffer) => reader.push(chunk));
    const inflated = once(inflate, 'end').catch((error: Error) => {
      throw new AppError('failed', `tshark's output could not be read: ${error.message}`);
    });
    inflated.catch(() => undefined); // awaited once the command is done
    const options = {
      stdin: capture,
      timeoutMs: 60_000,
      user: `${uid}:${uid}`,
      onStdout: (chunk: Buffer) => inflate.write(chunk),
      keepStdout: false,
    };
    try {
      const result = await execArgvBytes(await decoder(engine), argv, options);
      inflate.end();
      await inflated;
      return { result, reader };
    } finally {
      inflate.destroy();
    }
  };
  let decoded;
  try {
    decoded = await run();
  } catch (error) {
    // The decoder may have gone idle and removed itself just now: start it again, once.
    running = undefined;
    if (!isGone(error)) throw error;
    decoded = await run();
  }
  const { result, reader } = decoded;
  let packets: DecodedPacket[] = [];
  let unreadable: unknown;
  try {
    packets = reader.end();
  } catch (error) {
    unreadable = error;
  }
  // tshark's own words first: output cut short is what a tshark that failed leaves.
  if (result.exitCode !== 0 && !reader.complete) {
    const said = result.stderr.toString('utf8').trim().split('\n').at(-1);
    throw new AppError('failed', `tshark could not decode the capture: ${said || `exit ${result.exitCode}`}`);
  }
  if (unreadable) throw unreadable;
  return packets;
}

function decoder(engine: Engine): Promise<Docker.Container> {
  running ??= startDecoder(engine).catch((error: unknown) => {
    running = undefined;
    throw error;
  });
  return running;
}

/**
 * The running decoder of the current image, started when there is none. Its name carries the
 * image's tag, so that processes racing to start it (an app window, a CLI call, a test) agree on
 * one container and never remove each other's: one creates it, the others find it (409) and
 * start it too, which is a no-op once it runs (304). A decoder of an older image leaves by itself
 * once idle.
 */
async function startDecoder(engine: Engine): Promise<Docker.Container> {
  const image = await ensureDecoderImage(engine);
  // One that went idle a moment ago may still be being removed: its name frees in a moment.
  for (let attempt = 1; ; attempt++) {
    try {
      return await createAndStart(engine, image);
    } catch (error) {
      if (attempt === 3 || !isGone(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function createAndStart(engine: Engine, image: string): Promise<Docker.Container> {
  const container = engine.docker.getContainer(decoderName(image));
  await engine
    .call('creating the decoder', () =>
      engine.docker.createContainer({
        name: decoderName(image),
        Image: image,
        HostConfig: {
          AutoRemove: true,
          NetworkMode: 'none',
          ReadonlyRootfs: true,
          Tmpfs: { '/tmp': 'rw,nosuid,nodev,noexec,size=16m' },
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          Memory: MEMORY_BYTES,
          MemorySwap: MEMORY_BYTES,
          PidsLimit: 32,
        },
      }),
    )
    .catch((error: { statusCode?: number }) => (error.statusCode === 409 ? undefined : Promise.reject(error)));
  await engine
    .call('starting the decoder', () => container.start())
    .catch((error: { statusCode?: number }) => (error.statusCode === 304 ? undefined : Promise.reject(error)));
  return container;
}

/** neutron-lab-decoder-<the image's tag>: one container per decoder image. */
const decoderName = (image: string) => `${CONTAINER}-${image.split(':')[1]}`;

function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return status === 404 || status === 409;
}
