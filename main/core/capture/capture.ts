import type Docker from 'dockerode';
import { execArgv, execArgvBytes, inNamespace } from '../docker/exec';
import { AppError } from '../errors';
import { epochToIso } from './format';
import type { CapturedPacket, CaptureTarget } from './types';

/**
 * Capturing packets on one interface of a node, or of a network namespace in it. tcpdump runs
 * in the node (the node image has it): it prints a one-line summary of each packet as it sees
 * it (`--print`) and keeps the packets themselves in a file there (`-w`), fetched as pcap when
 * the capture ends. One process captures and summarises, so what is shown is what is saved.
 */

export interface CaptureOptions {
  /** A capture filter in tcpdump's (BPF) syntax, e.g. `icmp or proto gre`. */
  filter?: string;
  /** Stop after this many packets. */
  count?: number;
  /** Stop after this many seconds. */
  seconds?: number;
  /** Stops the capture (Ctrl+C, a closed panel): what was captured so far is kept. */
  signal?: AbortSignal;
  /** tcpdump listens: packets sent from now on are captured. */
  onListening?(): void;
  /** tcpdump writes the packets to this file in the node as they come (pcap, removed when the capture ends). */
  onFile?(file: string): void;
  onPacket?(packet: CapturedPacket): void;
}

export interface CaptureResult {
  packets: CapturedPacket[];
  /** Which limit ended it by itself, if one did. */
  limit?: 'count' | 'time';
  /** Packets the kernel dropped before tcpdump could take them (a flood faster than it reads), as tcpdump counts them. */
  dropped?: number;
  /** The packets as a pcap file (microsecond timestamps). */
  pcap: Buffer;
}

/**
 * $1 the interface, then tcpdump's own options and filter. The first line out names the
 * capture's pid (tcpdump's, after exec) and its file, so it can be stopped and fetched.
 * --immediate-mode takes each packet as it comes (libpcap otherwise holds them up to a second,
 * and a stop drops what it holds: the last second's packets were lost); -U writes each packet
 * to the file as it comes, -l prints each line as it comes; -nn and -e: numbers, not names,
 * and the link-level header (MACs, VLAN tags); -tt: epoch seconds.
 */
const CAPTURE = `iface=$1
shift
file=$(mktemp /tmp/nl-capture-XXXXXX) || exit 1
printf 'nl-capture %s %s\\n' "$$" "$file"
exec tcpdump --immediate-mode -i "$iface" -U -w "$file" --print -l -nn -e -tt "$@"`;

const HEADER = /^nl-capture (\d+) (\/tmp\/nl-capture-[A-Za-z0-9]+)$/;
const PACKET = /^(\d+)\.(\d{6}) (.*)$/;

export async function capture(container: Docker.Container, target: CaptureTarget, options: CaptureOptions = {}): Promise<CaptureResult> {
  if (options.count !== undefined && (!Number.isInteger(options.count) || options.count < 1)) {
    throw new AppError('input', `A capture's count is a whole number of packets, 1 or more (got ${options.count}).`);
  }
  if (options.seconds !== undefined && !(Number.isFinite(options.seconds) && options.seconds > 0)) {
    throw new AppError('input', `A capture's time limit is a number of seconds above 0 (got ${options.seconds}).`);
  }
  const where = describeTarget(target);
  const tcpdumpArgs = [
    ...(options.count === undefined ? [] : ['-c', String(options.count)]),
    // After --, a filter that starts with "-" is still a filter, never an option.
    ...(options.filter?.trim() ? ['--', options.filter] : []),
  ];
  const packets: CapturedPacket[] = [];
  let started: { pid: string; file: string } | undefined;
  let pending = '';
  let listening = false;
  // A stop interrupts tcpdump as Ctrl+C would: it writes what it has and exits. One asked
  // for before tcpdump has started is carried out as soon as it has.
  let interrupted: Promise<unknown> | undefined;
  const interrupt = () => {
    if (started && !interrupted) interrupted = execArgv(container, ['kill', '-INT', started.pid]).catch(() => undefined);
  };
  options.signal?.addEventListener('abort', interrupt, { once: true });
  // The time limit ends it as a stop does, by itself.
  let timedOut = false;
  const timer =
    options.seconds === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          interrupt();
        }, options.seconds * 1000);

  const onLine = (line: string) => {
    if (!started) {
      const header = HEADER.exec(line);
      if (header) {
        started = { pid: header[1]!, file: header[2]! };
        options.onFile?.(started.file);
        if (options.signal?.aborted || timedOut) interrupt();
      }
      return;
    }
    const packet = packetOf(line, target);
    if (!packet) return;
    packets.push(packet);
    options.onPacket?.(packet);
  };

  const result = await execArgv(container, inNamespace(['sh', '-c', CAPTURE, 'nl-capture', target.iface, ...tcpdumpArgs], target.netns), {
    onStdout: (chunk) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    keepStdout: false,
    onStderr: (chunk) => {
      if (!listening && chunk.toString('utf8').includes('listening on')) {
        listening = true;
        options.onListening?.();
      }
    },
    // A capture lasts as long as its user wants.
    timeoutMs: Infinity,
  });
  if (pending) onLine(pending);
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', interrupt);
  await interrupted;
  const capturedFile = started?.file;
  const stopped = options.signal?.aborted || timedOut;
  if (result.exitCode !== 0 && !(stopped && capturedFile)) {
    if (capturedFile) await removeFile(container, capturedFile);
    throw await captureError(container, target, options.filter, result.stderr);
  }
  if (!capturedFile) throw new AppError('failed', `Capturing on ${where} failed: ${result.stderr.trim() || 'tcpdump did not start'}`);
  const fetched = await execArgvBytes(container, [
    'sh',
    '-c',
    'cat -- "$1"; status=$?; rm -f -- "$1"; exit $status',
    'nl-capture',
    capturedFile,
  ]);
  if (fetched.exitCode !== 0) throw new AppError('failed', `Reading the capture of ${where} failed: ${fetched.stderr.toString().trim()}`);
  const limit = options.signal?.aborted
    ? undefined
    : timedOut
      ? 'time'
      : options.count !== undefined && packets.length >= options.count
        ? 'count'
        : undefined;
  const dropped = Number(/(\d+) packets? dropped by kernel/.exec(result.stderr)?.[1] ?? 0);
  return { packets, pcap: fetched.stdout, ...(limit ? { limit } : {}), ...(dropped ? { dropped } : {}) };
}

/** A line tcpdump printed with -tt ("<epoch seconds>.<microseconds> <summary>") as a packet; undefined for any other line. */
export function packetOf(line: string, target: CaptureTarget): CapturedPacket | undefined {
  const parsed = PACKET.exec(line);
  if (!parsed) return undefined;
  return {
    time: epochToIso(`${parsed[1]}.${parsed[2]}`),
    node: target.node,
    ...(target.netns ? { netns: target.netns } : {}),
    iface: target.iface,
    summary: parsed[3]!,
  };
}

/** "compute1 eth1", "network (namespace qrouter-…) qr-…". */
export function describeTarget(target: CaptureTarget): string {
  return `${placeOf(target)} ${target.iface}`;
}

function placeOf(target: CaptureTarget): string {
  return `${target.node}${target.netns ? ` (namespace ${target.netns})` : ''}`;
}

async function removeFile(container: Docker.Container, file: string): Promise<void> {
  await execArgv(container, ['rm', '-f', '--', file]).catch(() => undefined);
}

/** What went wrong, in the learner's terms: no such namespace or interface (and which there are), or a bad filter. */
async function captureError(
  container: Docker.Container,
  target: CaptureTarget,
  filter: string | undefined,
  stderr: string,
): Promise<AppError> {
  const said = stderr
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('tcpdump: listening'));
  if (/Cannot open network namespace/.test(stderr)) {
    const namespaces = await execArgv(container, ['ip', 'netns', 'list']);
    const names = namespaces.stdout
      .split('\n')
      .map((line) => line.split(' ')[0])
      .filter(Boolean);
    return new AppError('input', `Node ${target.node} has no network namespace "${target.netns}".`, {
      hint: names.length ? `Its namespaces: ${names.join(', ')}.` : 'It has no network namespaces.',
    });
  }
  if (/No such device|doesn't exist|does not exist/i.test(stderr)) {
    const links = await execArgv(container, inNamespace(['ip', '-o', 'link', 'show'], target.netns));
    const names = links.stdout
      .split('\n')
      .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    return new AppError('input', `There is no interface "${target.iface}" on ${placeOf(target)}.`, {
      hint: `Its interfaces: ${names.join(', ')}.`,
    });
  }
  if (filter !== undefined && /syntax error|filter expression|can't parse filter/i.test(stderr)) {
    return new AppError('input', `"${filter}" is not a capture filter tcpdump accepts: ${said ?? stderr.trim()}`, {
      hint: 'Capture filters use tcpdump (BPF) syntax, e.g. "icmp", "host 10.0.0.2", "proto gre", "udp port 4789".',
    });
  }
  return new AppError('failed', `Capturing on ${describeTarget(target)} failed: ${said ?? 'tcpdump exited without a word'}`);
}
