import { decodePackets, stopDecoder } from '../main/core/capture/decoder';
import { CaptureHost } from '../main/core/capture/host';
import type { Engine } from '../main/core/docker/engine';
import { execArgv, execArgvBytes } from '../main/core/docker/exec';
import { ensureDecoderImage } from '../main/core/image/decoder-image';
import { resolveLab } from '../main/core/lab/catalog';
import { followInLab, solveLab, startLab, walkInLab } from '../main/core/run';
import { up } from '../main/core/session/boot';
import { removeSessionsNamed } from '../main/core/session/teardown';
import { median, seconds, timedAsync } from './measure';
import type { Report } from './workshop';

/**
 * Capture and decoding (issue 16), in an ovs-basics node: the first packet of a capture while a
 * ping runs, as the panel gets it; the decoder's cold start; the tree of one packet of a
 * 10,000-packet capture (what a click in the panel costs); all 10,000 decoded and read; a
 * ping followed across gre-tenant's two nodes, and the same packet walked by the flows; walks
 * through security groups' chains (security-groups) and a router's namespace (dhcp-router).
 */
export async function benchCapture(engine: Engine, runs: number, report: Report): Promise<void> {
  const name = 'bench-capture';
  await removeSessionsNamed(engine, name);
  const session = await up(engine, await resolveLab('ovs-basics'), { name });
  try {
    const node = engine.docker.getContainer(session.nodes[0]!.containerId);
    const pinging = execArgv(node, ['ping', '-i', '0.05', '-c', String(200 * runs), '127.0.0.1'], { timeoutMs: Infinity });
    const firstPacket: number[] = [];
    for (let run = 0; run < runs; run++) {
      let seen!: () => void;
      const arrived = new Promise<void>((resolve) => (seen = resolve));
      const host = new CaptureHost({ packets: () => seen(), ended: () => undefined }, async () => []);
      const started = performance.now();
      await host.start(node, { node: 'node', iface: 'lo' }, 'icmp');
      await arrived;
      firstPacket.push(performance.now() - started);
      await host.stopAll();
    }
    report('capture: first packet after the start (a ping every 50 ms)', `${median(firstPacket).toFixed(0)} ms`, 'target ≤ 500 ms');
    await execArgv(node, ['pkill', 'ping']);
    await pinging;

    // 10,000 packets: 5,000 pings on lo, each seen going and coming.
    const made = await execArgv(
      node,
      ['sh', '-c', 'tcpdump -i lo -w /tmp/bench.pcap -c 10000 icmp 2>/dev/null & sleep 1; ping -f -c 5000 -q 127.0.0.1 >/dev/null; wait'],
      { timeoutMs: 120_000 },
    );
    if (made.exitCode !== 0) throw new Error(`making 10,000 packets failed: ${made.stderr}`);
    const pcap = (await execArgvBytes(node, ['cat', '/tmp/bench.pcap'])).stdout;

    await ensureDecoderImage(engine);
    const cold: number[] = [];
    const one: number[] = [];
    const all: number[] = [];
    let decoded = 0;
    for (let run = 0; run < Math.min(runs, 3); run++) {
      await stopDecoder(engine);
      let started = performance.now();
      await decodePackets(engine, pcap, { from: 1, to: 1 });
      cold.push(performance.now() - started);
      started = performance.now();
      await decodePackets(engine, pcap, { from: 9_974, to: 10_000 });
      one.push(performance.now() - started);
      started = performance.now();
      decoded = (await decodePackets(engine, pcap)).length;
      all.push(performance.now() - started);
    }
    report("decoder's first decode (its container starting, image present)", seconds(median(cold)));
    report('decode: packets 9,974–10,000 of a 10,000-packet capture (a click in the panel)', seconds(median(one)));
    report(`decode: all ${decoded.toLocaleString('en')} packets, Wireshark's whole tree each`, seconds(median(all)), 'target ≤ 2 s');
  } finally {
    await removeSessionsNamed(engine, name);
  }

  // A ping from vm1 followed across gre-tenant's two nodes, the CLI's and the app's way in.
  const gre = 'bench-follow';
  await removeSessionsNamed(engine, gre);
  await startLab(engine, await resolveLab('gre-tenant'), { name: gre });
  try {
    await solveLab(engine, gre);
    const ask = { from: 'vm1', to: '192.168.1.2', proto: 'icmp' } as const;
    let hops = 0;
    const follow = await timedAsync(async () => (hops = (await followInLab(engine, gre, ask)).hops.length), runs, 1);
    report(`follow: a ping across gre-tenant's 2 nodes (${hops} copies seen)`, seconds(follow), 'target ≤ 1.5 s');
    let legs = 0;
    const walk = await timedAsync(async () => (legs = (await walkInLab(engine, gre, ask)).legs.length), runs, 1);
    report(`walk: vm1 to the DHCP port across gre-tenant's 2 nodes (${legs} legs)`, seconds(walk), 'target ≤ 1 s');
  } finally {
    await removeSessionsNamed(engine, gre);
  }

  // Walks that cross more than bridges: security groups' chains on both nodes, a router's namespace.
  for (const [lab, ask, what] of [
    ['security-groups', { from: 'vm2', to: 'vm1', proto: 'tcp', port: 80 }, "vm2's SYN to vm1's web server, into sg-fallback"],
    ['dhcp-router', { from: 'vm2', to: '9.186.100.1', proto: 'icmp' }, "vm2's ping out through the router's SNAT"],
  ] as const) {
    const session = `bench-walk-${lab}`;
    await removeSessionsNamed(engine, session);
    await startLab(engine, await resolveLab(lab), { name: session });
    try {
      await solveLab(engine, session);
      let legs = 0;
      const walk = await timedAsync(async () => (legs = (await walkInLab(engine, session, ask)).legs.length), runs, 1);
      report(`walk: ${what} (${lab}, ${legs} legs)`, seconds(walk), 'target ≤ 1 s');
    } finally {
      await removeSessionsNamed(engine, session);
    }
  }
}
