import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePackets } from '../../main/core/capture/decoder';
import { CaptureHost } from '../../main/core/capture/host';
import type { CapturedPacket, DecodedPacket } from '../../main/core/capture/types';
import { execArgv, inNamespace } from '../../main/core/docker/exec';
import { resolveLab } from '../../main/core/lab/catalog';
import { solveLab, startLab } from '../../main/core/run';
import { requireNode } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { runCli, testEngine, uniqueName, type CliResult } from './helpers';

/**
 * `neutron-lab capture` on a solved gre-tenant: vm1 on compute1 pings the DHCP port on the
 * network node through the GRE tunnel. The saved file is read back by libpcap (tcpdump -r in
 * the node), an implementation other than the one that wrote it.
 */

const name = uniqueName('capture');
const dir = mkdtempSync(join(tmpdir(), 'nl-capture-'));
const node = () => testEngine().then((engine) => requireNode(engine, name, 'compute1'));
const pingDhcpPort = async (count: number) =>
  execArgv(await node(), inNamespace(['ping', '-c', String(count), '-i', '0.2', '-W', '2', '192.168.1.2'], 'vm1'));

/** Starts a capture through the CLI and resolves `listening` once tcpdump listens. */
function startCapture(args: string[]) {
  let pid = 0;
  let onListening!: () => void;
  const listening = new Promise<void>((resolve) => (onListening = resolve));
  const done: Promise<CliResult> = runCli(['capture', name, 'compute1', ...args], {
    onSpawn: (spawned) => (pid = spawned),
    onStderr: (text) => text.includes('Ctrl+C stops') && onListening(),
  });
  // A capture that fails never listens: its result says why.
  return { listening: Promise.race([listening, done.then((r) => Promise.reject(new Error(r.stderr)))]), done, pid: () => pid };
}

/** What libpcap reads from a saved file: one line per packet, "<epoch>.<micro> <summary>". */
async function readBack(file: string): Promise<string[]> {
  const read = await execArgv(await node(), ['tcpdump', '-r', '-', '-nn', '-e', '-tt'], { stdin: readFileSync(file) });
  expect(read.exitCode, read.stderr).toBe(0);
  return read.stdout.trim().split('\n');
}

const leftovers = async () => (await execArgv(await node(), ['find', '/tmp', '-name', 'nl-capture-*'])).stdout.trim();

beforeAll(async () => {
  const engine = await testEngine();
  await startLab(engine, await resolveLab('gre-tenant'), { name });
  await solveLab(engine, name);
}, 300_000);
afterAll(async () => removeSessionsNamed(await testEngine(), name));

describe('neutron-lab capture', () => {
  it('shows the tunnel packets on the underlay, GRE key and inner frame, and saves what it showed as pcapng', async () => {
    const file = join(dir, 'underlay.pcapng');
    // Eight pings make sixteen ICMP packets in the tunnel, and ARP may add two: ten are enough to
    // hold a reply even when, under load, the first reply comes after the next requests (four
    // were not: ARP, ARP, request, request).
    const capture = startCapture(['eth1', '--filter', 'proto gre', '--count', '10', '-w', file, '--json']);
    await capture.listening;
    await pingDhcpPort(8);
    const result = await capture.done;
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { packets: CapturedPacket[]; file: string };
    expect(report.file).toBe(file);
    expect(report.packets).toHaveLength(10);
    for (const packet of report.packets) {
      expect(packet).toMatchObject({ node: 'compute1', iface: 'eth1' });
      expect(packet.summary).toMatch(/^\S+ > \S+, ethertype IPv4 .* GREv0, key=0x1, proto TEB/);
    }
    expect(report.packets.some((p) => / > 192\.168\.1\.2: ICMP echo request/.test(p.summary))).toBe(true);
    expect(report.packets.some((p) => / > 192\.168\.1\.3: ICMP echo reply/.test(p.summary))).toBe(true);

    // The file holds exactly the packets shown, at the times shown.
    const epoch = (iso: string) => `${Math.floor(Date.parse(iso) / 1000)}.${iso.slice(20, 26)}`;
    expect(await readBack(file)).toEqual(report.packets.map((p) => `${epoch(p.time)} ${p.summary}`));
    expect(await leftovers()).toBe('');
  });

  it('captures inside a VM until Ctrl+C, and keeps what it saw', async () => {
    const file = join(dir, 'vm1.pcapng');
    const capture = startCapture(['eth0', '--netns', 'vm1', '--filter', 'icmp', '-w', file]);
    await capture.listening;
    await pingDhcpPort(2);
    // tcpdump prints and saves each packet as it comes; an interrupt flushes whatever is left.
    process.kill(capture.pid(), 'SIGINT');
    const result = await capture.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{6} {2}fa:16:3e:cb:11:f6 > fa:16:3e:32:0d:db, .*ICMP echo request/m);
    const counted = /Capturing on compute1 \(namespace vm1\) eth0 \(icmp\); Ctrl\+C stops\.\n(\d+) packets, saved to /.exec(result.stderr);
    const shown = result.stdout.trim().split('\n');
    // Two echo requests and their replies, unless one was lost under load.
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(Number(counted?.[1])).toBe(shown.length);
    expect(await readBack(file)).toHaveLength(shown.length);
    expect(await leftovers()).toBe('');
  });

  it('ends by itself when its time is up, keeping what it saw', async () => {
    const started = performance.now();
    const result = await runCli(['capture', name, 'compute1', 'eth1', '--filter', 'proto gre', '--seconds', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2000);
    expect(result.stderr).toMatch(/\n\d+ packets? \(its 2 s were up\)\.\n$/);
    expect(await leftovers()).toBe('');
  });

  it('says what is wrong with the interface, the namespace or the filter, and leaves nothing behind', async () => {
    const wrong = async (args: string[]) => {
      const result = await runCli(['capture', name, 'compute1', ...args]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      return result.stderr;
    };
    expect(await wrong(['eth9'])).toMatch(/There is no interface "eth9" on compute1\.\nhint: Its interfaces: .*\bbr-phy\b.*\beth1\b/);
    expect(await wrong(['eth0', '--netns', 'vm9'])).toMatch(/Node compute1 has no network namespace "vm9"\.\nhint: Its namespaces: vm1\./);
    expect(await wrong(['eth1', '--filter', 'icmp and and'])).toContain('"icmp and and" is not a capture filter tcpdump accepts');
    // After --, a filter is never an option of tcpdump's.
    expect(await wrong(['eth1', '--filter', '-w /tmp/elsewhere'])).toContain('is not a capture filter tcpdump accepts');
    expect(await wrong(['eth1', '--count', '0'])).toContain("A capture's count is a whole number of packets, 1 or more (got 0).");
    expect(await wrong(['eth1', '--seconds', 'soon'])).toContain('--seconds takes a number of seconds above 0 (got "soon").');
    expect(await leftovers()).toBe('');
  });
});

describe('decoding a capture with Wireshark’s dissectors (the app’s capture host)', () => {
  it('unfolds a live capture’s packet, and still does while it stops and once stopped', async () => {
    const engine = await testEngine();
    const events: string[] = [];
    const host = new CaptureHost(
      { packets: (_, packets) => events.push(...packets.map(() => 'packet')), ended: () => events.push('ended') },
      (pcap, range) => decodePackets(engine, pcap, range),
    );
    const id = await host.start(await node(), { node: 'compute1', iface: 'eth1' }, 'proto gre');
    await expect(host.decodePacket(id, 1)).rejects.toThrow('The capture holds 0 packets so far, not 1.');
    await pingDhcpPort(2);
    await expect.poll(() => events.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);

    const icmpType = (packet: DecodedPacket) => packet.layers.at(-1)?.fields.find((field) => field.name === 'icmp.type')?.text;
    // vm1 may ask for the port's MAC first: the first packet that is a ping is the request.
    const seen = events.length;
    const live: DecodedPacket[] = [];
    for (let number = 1; number <= seen; number++) live.push(await host.decodePacket(id, number));
    const request = live.find((packet) => icmpType(packet) === 'Type: 8 (Echo (ping) request)')!;
    expect(request.layers.map((layer) => layer.name)).toEqual(['frame', 'eth', 'ip', 'gre', 'eth', 'ip', 'icmp']);
    expect(request.layers[3]!.fields.find((field) => field.name === 'gre.key')?.text).toBe('Key: 0x00000001');
    expect(request.layers[5]!.text).toBe('Internet Protocol Version 4, Src: 192.168.1.3, Dst: 192.168.1.2');

    // A decode asked for while the capture stops finds it; afterwards its packets still unfold, as they were.
    const [stopped, reply] = await Promise.all([host.stop(id), host.decodePacket(id, request.number + 1)]);
    expect(stopped.packets).toBe(events.filter((e) => e === 'packet').length);
    expect(icmpType(reply)).toBe('Type: 0 (Echo (ping) reply)');
    expect(await host.decodePacket(id, request.number)).toEqual(request);
    await expect(host.decodePacket(id, stopped.packets + 1)).rejects.toThrow(`holds ${stopped.packets} packets so far`);
    await expect(host.stop(id)).rejects.toThrow('No capture of yours runs under that id');
    await host.stopAll();
    await expect(host.decodePacket(id, 1)).rejects.toThrow('No capture of yours runs under that id');
    expect(await leftovers()).toBe('');
  }, 120_000);

  it('says in tshark’s words what is not a capture, and decodes the next one', async () => {
    const engine = await testEngine();
    // tshark's exit code comes through the compressing pipe, and its message with it.
    await expect(decodePackets(engine, Buffer.from('not a capture file\n'))).rejects.toThrow(/^tshark could not decode the capture: \S/);
    await expect(decodePackets(engine, arpCapture(), { from: 2, to: 1 })).rejects.toThrow(
      'Packets are numbered from 1: 2 to 1 is no range of them.',
    );
    const [packet, ...rest] = await decodePackets(engine, arpCapture());
    expect(rest).toEqual([]);
    expect(packet!.layers.map((layer) => layer.name)).toEqual(['frame', 'eth', 'arp']);
    expect(packet!.layers[2]!.text).toBe('Address Resolution Protocol (request)');
  }, 60_000);
});

/** A classic pcap file of one packet: 10.0.0.1 asking who has 10.0.0.2. */
function arpCapture(): Buffer {
  const file = Buffer.alloc(24);
  file.writeUInt32LE(0xa1b2c3d4, 0);
  file.writeUInt16LE(2, 4);
  file.writeUInt16LE(4, 6);
  file.writeUInt32LE(65_535, 16);
  file.writeUInt32LE(1, 20); // Ethernet
  const frame = Buffer.from('ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002', 'hex');
  const record = Buffer.alloc(16);
  record.writeUInt32LE(1_796_688_000, 0);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([file, record, frame]);
}
