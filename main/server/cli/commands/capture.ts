import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { capture, describeTarget } from '../../../core/capture/capture';
import { hopDelay, hopHeaders, hopPlace, packetClock } from '../../../core/capture/format';
import { describeWalk } from '../../../core/check/walk-format';
import type { VmPacketAsk } from '../../../core/check/vm-packet';
import { followInLab, walkInLab } from '../../../core/run';
import { AppError } from '../../../core/errors';
import type { CapturedPacket } from '../../../core/capture/types';
import { toPcapng } from '../../../core/capture/pcapng';
import { requireNode } from '../../../core/session/sessions';
import { contextFor } from '../context';
import { info, printJson } from '../output';

/**
 * capture: packets on one interface of a node or namespace, live, and saved for Wireshark.
 * follow: one probe from a VM, seen on every interface of every node it crosses.
 */

interface CaptureFlags {
  netns?: string;
  filter?: string;
  count?: string;
  seconds?: string;
  write?: string;
}

export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description('show the packets on an interface of a node as they pass (Ctrl+C stops), and save them for Wireshark')
    .argument('<lab>', 'session name (the lab id unless started with --name)')
    .argument('<node>', 'node name')
    .argument('<interface>', 'interface name as the node (or --netns) has it: eth1, br-phy, tap…, qvo…, qr-…')
    .option('--netns <ns>', 'capture inside this network namespace of the node (a VM, qrouter-…, qdhcp-…)')
    .option('--filter <bpf>', 'capture only what this tcpdump (BPF) filter matches, e.g. "icmp" or "proto gre"')
    .option('--count <n>', 'stop after n packets')
    .option('--seconds <s>', 'stop after s seconds')
    .option('-w, --write <file>', 'save the packets to this file, as pcapng (Wireshark opens it)')
    .option('--json', 'print the packets as one JSON document when the capture ends')
    .action(async (lab: string, node: string, iface: string, flags: CaptureFlags, command: Command) => {
      const ctx = contextFor(command);
      if (flags.seconds !== undefined && !(Number(flags.seconds) > 0)) {
        throw new AppError('usage', `--seconds takes a number of seconds above 0 (got "${flags.seconds}").`);
      }
      const container = await requireNode(await ctx.engine(), lab, node);
      const target = { node, iface, ...(flags.netns ? { netns: flags.netns } : {}) };
      const stop = new AbortController();
      const onInterrupt = () => stop.abort();
      process.once('SIGINT', onInterrupt);
      try {
        const captured = await capture(container, target, {
          ...(flags.filter ? { filter: flags.filter } : {}),
          ...(flags.count === undefined ? {} : { count: Number(flags.count) }),
          ...(flags.seconds === undefined ? {} : { seconds: Number(flags.seconds) }),
          signal: stop.signal,
          onListening: () => info(`Capturing on ${describeTarget(target)}${flags.filter ? ` (${flags.filter})` : ''}; Ctrl+C stops.`),
          ...(ctx.json
            ? {}
            : { onPacket: (packet: CapturedPacket) => process.stdout.write(`${packetClock(packet.time)}  ${packet.summary}\n`) }),
        });
        if (flags.write) await writeFile(flags.write, toPcapng([{ name: describeTarget(target), pcap: captured.pcap }]));
        if (ctx.json)
          printJson({
            ...target,
            filter: flags.filter ?? null,
            packets: captured.packets,
            dropped: captured.dropped ?? 0,
            file: flags.write ?? null,
          });
        else
          info(
            `${captured.packets.length} packet${captured.packets.length === 1 ? '' : 's'}${flags.write ? `, saved to ${flags.write}` : ''}${
              captured.limit === 'time' ? ` (its ${flags.seconds} s were up)` : ''
            }${captured.dropped ? `; the kernel dropped ${captured.dropped} more, coming faster than tcpdump could take them` : ''}.`,
          );
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
  registerVmPacketCommands(program);
}

interface VmPacketFlags {
  from: string;
  to: string;
  proto: 'icmp' | 'tcp' | 'http';
  port?: string;
}

/** The options follow and walk share: a VM's packet, to an address or another VM. */
function vmPacketCommand(program: Command, name: string, description: string, sends: string): Command {
  return program
    .command(name)
    .description(description)
    .argument('<lab>', 'session name (the lab id unless started with --name)')
    .requiredOption('--from <vm>', `the VM that ${sends} it`)
    .requiredOption('--to <address>', 'an IPv4 address, or another VM of the lab')
    .addOption(new Option('--proto <proto>', 'what it is').choices(['icmp', 'tcp', 'http']).default('icmp'))
    .option('--port <n>', 'the port, for tcp (required) and http (default 80)')
    .option('--json', 'print the result as JSON');
}

function askFromFlags(flags: VmPacketFlags): VmPacketAsk {
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new AppError('usage', `--port takes a port number, 1 to 65535 (got "${flags.port}").`);
  }
  return { from: flags.from, to: flags.to, proto: flags.proto, ...(port === undefined ? {} : { port }) };
}

export function registerVmPacketCommands(program: Command): void {
  vmPacketCommand(
    program,
    'follow',
    'send one ping, TCP connection or HTTP request from a VM and show every interface it crosses, on every node, and what changed',
    'sends',
  ).action(async (lab: string, flags: VmPacketFlags, command: Command) => {
    const ctx = contextFor(command);
    const result = await followInLab(await ctx.engine(), lab, askFromFlags(flags));
    if (ctx.json) return printJson(result);
    const what = `${result.proto}${result.port ? ` port ${result.port}` : ''}`;
    info(
      `Followed ${what} from ${result.from} to ${result.to}, watching ${result.watched.interfaces} interfaces on ${result.watched.nodes} nodes: ${result.answered ? 'answered' : 'no answer'}.`,
    );
    const first = result.hops[0];
    if (!first) return info('No copy of it was seen on any interface.');
    const width = Math.max(...result.hops.map((hop) => hopPlace(hop.where).length));
    let direction: string | undefined;
    for (const hop of result.hops) {
      if (hop.direction !== direction) process.stdout.write(`${(direction = hop.direction)}\n`);
      const changes = hop.changes.length ? `   ← ${hop.changes.join('; ')}` : '';
      process.stdout.write(
        `  ${hopDelay(first.time, hop.time).padStart(11)}  ${hopPlace(hop.where).padEnd(width)}  ${hopHeaders(hop.headers)}${changes}\n`,
      );
    }
  });

  vmPacketCommand(
    program,
    'walk',
    "the way a VM's packet goes by the flows, security groups and routers, nothing sent: ofproto/trace bridge by bridge, node after node, with the iptables chains and routes it meets",
    'would send',
  ).action(async (lab: string, flags: VmPacketFlags, command: Command) => {
    const ctx = contextFor(command);
    const walk = await walkInLab(await ctx.engine(), lab, askFromFlags(flags));
    if (ctx.json) return printJson(walk);
    process.stdout.write(describeWalk(walk));
  });
}
