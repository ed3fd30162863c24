import type Docker from 'dockerode';
import type { Engine } from '../docker/engine';
import { execArgvBytes } from '../docker/exec';
import { AppError } from '../errors';
import { ensureDecoderImage } from '../image/decoder-image';
import { parsePdml } from './pdml';
import type { DecodedPacket } from './types';

/**
 * Decoding captured packets with Wireshark's dissectors. tshark runs in one decoder container
 * per engine, beside the nodes, started on first use and gone after ten idle minutes. It reads
 * packets it is handed on standard input and nothing else: no network, no capabilities, no
 * writable file system but a small /tmp, as nobody, bounded in memory and processes — the
 * packets come from labs (a workshop's students among them), and dissectors parse them.
 */

const CONTAINER = 'neutron-lab-decoder';
/** tshark peaked at 160 MB decoding a few packets; thousands need more. */
const MEMORY_BYTES = 768 * 1024 * 1024;

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
  return parsePdml(await runTshark(engine, capture, [...select, '-T', 'pdml']));
}

/** Stops and removes the decoder (the benchmark's cold start; it would go by itself after ten idle minutes). */
export async function stopDecoder(engine: Engine): Promise<void> {
  running = undefined;
  const container = engine.docker.getContainer(CONTAINER);
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

async function runTshark(engine: Engine, capture: Buffer | Promise<Buffer>, args: string[]): Promise<string> {
  const argv = ['nl-decode', ...args];
  let result;
  try {
    result = await execArgvBytes(await decoder(engine), argv, { stdin: capture, timeoutMs: 60_000 });
  } catch (error) {
    // The decoder may have gone idle and removed itself just now: start it again, once.
    running = undefined;
    if (!isGone(error)) throw error;
    result = await execArgvBytes(await decoder(engine), argv, { stdin: capture, timeoutMs: 60_000 });
  }
  const stdout = result.stdout.toString('utf8');
  if (result.exitCode !== 0 && !stdout.includes('</pdml>')) {
    const said = result.stderr.toString('utf8').trim().split('\n').at(-1);
    throw new AppError('failed', `tshark could not decode the capture: ${said || `exit ${result.exitCode}`}`);
  }
  return stdout;
}

function decoder(engine: Engine): Promise<Docker.Container> {
  running ??= startDecoder(engine).catch((error: unknown) => {
    running = undefined;
    throw error;
  });
  return running;
}

async function startDecoder(engine: Engine): Promise<Docker.Container> {
  const image = await ensureDecoderImage(engine);
  const existing = engine.docker.getContainer(CONTAINER);
  const state = await engine
    .call('looking for the decoder', () => existing.inspect())
    .catch((error: { statusCode?: number }) => (error.statusCode === 404 ? undefined : Promise.reject(error)));
  if (state?.Config.Image === image && state.State.Running) return existing;
  if (state) await engine.call('removing an old decoder', () => existing.remove({ force: true })).catch(() => undefined);
  try {
    const container = await engine.call('creating the decoder', () =>
      engine.docker.createContainer({
        name: CONTAINER,
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
    );
    await engine.call('starting the decoder', () => container.start());
    return container;
  } catch (error) {
    // Another process (a second app window, a CLI call) started it meanwhile.
    if ((error as { statusCode?: number }).statusCode === 409) return existing;
    throw error;
  }
}

function isGone(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return status === 404 || status === 409;
}
