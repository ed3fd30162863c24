import type Docker from 'dockerode';
import type { Engine } from '../docker/engine';
import { execArgv, execArgvBytes, inNamespace } from '../docker/exec';
import { AppError } from '../errors';
import { describeTarget } from './capture';
import { decodePackets } from './decoder';
import { epochToIso } from './format';
import { followHops, type SeenPacket } from './hops';
import { toPcapng } from './pcapng';
import type { CaptureTarget, FollowResult } from './types';

/**
 * Following one probe: every interface of every node of the lab captures at once (each node's
 * own and each namespace's: taps, qvb/qvo, qr-/qg-, the underlay NICs), the VM sends one ping,
 * TCP connection or HTTP request, and the copies of that packet are found in what every
 * interface saw. One exec per node runs all its captures; the packets come back with it.
 */

export interface FollowRequest {
  /** The session's name, for the hints. */
  session: string;
  /** The VM's node and namespace, and its name for the result. */
  from: { vm: string; node: string; namespace: string };
  /** An IPv4 address. */
  to: string;
  proto: FollowResult['proto'];
  port?: number;
}

/**
 * Captures on every interface that is up, in the node and in each namespace, except lo and the
 * OVS bridges' own ports (the packets through a bridge are seen on the ports they come and go
 * by). --immediate-mode: each packet is taken as it comes (libpcap otherwise holds them up to a
 * second, and an interrupt drops what it holds). Prints its pid, then "ready" once every tcpdump listens; at SIGINT it stops them (each
 * stops by itself after 30 s, should the app go away) and prints each capture framed:
 * "nl-follow-file SIZE NS<TAB>IFACE", then the bytes.
 */
const FOLLOW = `dir=$(mktemp -d /tmp/nl-follow-XXXXXX) || exit 1
echo "nl-follow $$"
bridges=" $(ovs-vsctl --timeout=2 list-br 2>/dev/null | tr '\\n' ' ') "
n=0; pids=
for ns in '' $(ip netns list | cut -d' ' -f1); do
  for ifc in $(ip \${ns:+-n "$ns"} -o link show up | cut -d: -f2 | cut -d@ -f1); do
    case "$ifc" in lo|ovs-netdev|ovs-system) continue ;; esac
    case "$bridges" in *" $ifc "*) continue ;; esac
    n=$((n + 1))
    printf '%s\\t%s' "$ns" "$ifc" >"$dir/$n.where"
    if [ -z "$ns" ]; then set --; else set -- ip netns exec "$ns"; fi
    "$@" timeout -s INT 30 tcpdump --immediate-mode -i "$ifc" -U -c 200 -w "$dir/$n.pcap" 2>"$dir/$n.err" &
    pids="$pids $!"
  done
done
# A node with no interface up (a controller) has nothing to capture.
[ "$n" -gt 0 ] || { echo ready; echo nl-follow-files; exit 0; }
stop() { stopped=1; kill -INT $pids 2>/dev/null; }
trap stop INT TERM
# Ready when every tcpdump still running listens (one whose interface went meanwhile has exited).
until [ -n "$stopped" ]; do
  waiting=0; i=0
  for p in $pids; do
    i=$((i + 1))
    if kill -0 "$p" 2>/dev/null && ! grep -q 'listening on' "$dir/$i.err"; then waiting=1; fi
  done
  [ "$waiting" = 0 ] && break
  sleep 0.02
done
echo ready
wait $pids
wait $pids
echo nl-follow-files
for where in "$dir"/*.where; do
  pcap=\${where%.where}.pcap
  printf 'nl-follow-file %s %s\\n' "$(stat -c %s "$pcap" 2>/dev/null || echo 0)" "$(cat "$where")"
  cat "$pcap" 2>/dev/null
done
rm -rf "$dir"`;

interface NodeCapture {
  node: string;
  ready: Promise<void>;
  stop(): Promise<void>;
  done: Promise<{ where: CaptureTarget; pcap: Buffer }[]>;
}

export async function follow(engine: Engine, containers: Map<string, Docker.Container>, request: FollowRequest): Promise<FollowResult> {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(request.to)) throw new AppError('input', `"${request.to}" is not an IPv4 address.`);
  if (request.proto !== 'icmp' && !(Number.isInteger(request.port) && request.port! >= 1 && request.port! <= 65535)) {
    throw new AppError('input', `Following ${request.proto} needs a port, 1 to 65535 (got ${request.port ?? 'none'}).`);
  }
  const vm = containers.get(request.from.node);
  if (!vm) throw new AppError('state', `Node ${request.from.node} is not part of this session.`);
  const captures = [...containers].map(([node, container]) => captureEverywhere(container, node));
  // tshark starts now and loads its dissectors while the probe runs; the packets follow.
  let hand!: { packets(pcapng: Buffer): void; fail(): void };
  const merged = new Promise<Buffer>((resolve, reject) => (hand = { packets: resolve, fail: () => reject(new Error('no capture')) }));
  const decoding = decodePackets(engine, merged);
  try {
    let probe;
    try {
      await Promise.all(captures.map((c) => c.ready));
      probe = await execArgv(vm, inNamespace(probeArgv(request), request.from.namespace), { timeoutMs: 10_000 });
      // An answered probe's copies have all been seen; an unanswered one's may still be on their way.
      if (probe.exitCode !== 0) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await Promise.all(captures.map((c) => c.stop()));
    }
    const watched = (await Promise.all(captures.map((c) => c.done))).flat();
    // A tcpdump whose interface went away meanwhile wrote nothing, not even a file header.
    const captured = watched.filter((w) => w.pcap.length >= 24);
    hand.packets(toPcapng(captured.map((w) => ({ name: describeTarget(w.where), pcap: w.pcap }))));
    const seen = (await decoding).map((packet): SeenPacket => {
      const frame = packet.layers.find((layer) => layer.name === 'frame');
      const field = (name: string) => frame?.fields.find((f) => f.name === name)?.value;
      return { where: captured[Number(field('frame.interface_id'))]!.where, time: epochToIso(field('frame.time_epoch') ?? '0'), packet };
    });
    const hops = followHops(seen, request.proto === 'icmp' ? 'icmp' : 'tcp', request.to);
    // Nothing left the VM, and its kernel said why: no route to the address.
    const noRoute = /Network is unreachable/.exec(probe.stderr);
    if (noRoute && hops.length === 0) {
      throw new AppError('input', `${request.from.vm} has no route to ${request.to}: "${noRoute[0]}".`, {
        hint: `Look at its routes: neutron-lab exec ${request.session} ${request.from.node} --netns ${request.from.namespace} -- ip route`,
      });
    }
    return {
      from: request.from.vm,
      to: request.to,
      proto: request.proto,
      ...(request.port ? { port: request.port } : {}),
      // A refusal (a TCP reset) is an answer too: the VM heard back.
      answered: hops.some(
        (hop) => hop.direction === 'reply' && hop.where.node === request.from.node && hop.where.netns === request.from.namespace,
      ),
      hops,
      watched: { interfaces: watched.length, nodes: captures.length },
    };
  } finally {
    hand.fail();
    await decoding.catch(() => undefined);
  }
}

function probeArgv(request: FollowRequest): string[] {
  switch (request.proto) {
    case 'icmp':
      // Up to five requests a second apart, until one is answered: a first packet lost while a
      // tunnel or a neighbour is resolved (slowly, on a busy machine) is not the answer (the hops
      // follow the answered one).
      return ['ping', '-c', '1', '-w', '5', request.to];
    case 'tcp':
      return ['nc', '-z', '-w', '2', request.to, String(request.port)];
    case 'http':
      return ['curl', '-s', '-o', '/dev/null', '-m', '2', `http://${request.to}:${request.port}/`];
  }
}

function captureEverywhere(container: Docker.Container, node: string): NodeCapture {
  let pid: string | undefined;
  let text = '';
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const run = execArgvBytes(container, ['sh', '-c', FOLLOW, 'nl-follow'], {
    timeoutMs: 60_000,
    onStdout: (chunk) => {
      if (text.includes('\nready\n')) return;
      text += chunk.toString('latin1');
      pid ??= /^nl-follow (\d+)$/m.exec(text)?.[1];
      if (text.includes('\nready\n')) onReady();
    },
  });
  const done = run.then((result) => {
    if (result.exitCode !== 0) {
      throw new AppError('failed', `Capturing on ${node} failed: ${result.stderr.toString().trim() || `exit ${result.exitCode}`}`);
    }
    return framesOf(result.stdout, node);
  });
  return {
    node,
    // A script that fails never gets ready: its error is the answer.
    ready: Promise.race([ready, done.then(() => Promise.reject(new AppError('failed', `Capturing on ${node} ended early.`)))]),
    stop: async () => {
      if (pid) await execArgv(container, ['kill', '-INT', pid]).catch(() => undefined);
      await done.catch(() => undefined);
    },
    done,
  };
}

/** The captures after "nl-follow-files": a header line each, then that many bytes of pcap. */
function framesOf(stdout: Buffer, node: string): { where: CaptureTarget; pcap: Buffer }[] {
  const marker = stdout.indexOf('nl-follow-files\n');
  if (marker < 0) throw new AppError('failed', `The captures on ${node} did not come back.`);
  const frames: { where: CaptureTarget; pcap: Buffer }[] = [];
  for (let at = marker + 'nl-follow-files\n'.length; at < stdout.length;) {
    const end = stdout.indexOf('\n', at);
    const header = /^nl-follow-file (\d+) ([^\t]*)\t(.+)$/.exec(stdout.subarray(at, end).toString('utf8'));
    if (!header) throw new AppError('failed', `The captures on ${node} came back garbled at byte ${at}.`);
    const size = Number(header[1]);
    const [netns, iface] = [header[2]!, header[3]!];
    frames.push({ where: { node, iface, ...(netns ? { netns } : {}) }, pcap: stdout.subarray(end + 1, end + 1 + size) });
    at = end + 1 + size;
  }
  return frames;
}
