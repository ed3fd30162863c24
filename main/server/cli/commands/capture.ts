import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { capture, describeTarget } from '../../../core/capture/capture';
import { packetClock } from '../../../core/capture/format';
import type { CapturedPacket } from '../../../core/capture/types';
import { toPcapng } from '../../../core/capture/pcapng';
import { requireNode } from '../../../core/session/sessions';
import { contextFor } from '../context';
import { info, printJson } from '../output';

/** capture: packets on one interface of a node or namespace, live, and saved for Wireshark. */

interface CaptureFlags {
  netns?: string;
  filter?: string;
  count?: string;
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
    .option('-w, --write <file>', 'save the packets to this file, as pcapng (Wireshark opens it)')
    .option('--json', 'print the packets as one JSON document when the capture ends')
    .action(async (lab: string, node: string, iface: string, flags: CaptureFlags, command: Command) => {
      const ctx = contextFor(command);
      const container = await requireNode(await ctx.engine(), lab, node);
      const target = { node, iface, ...(flags.netns ? { netns: flags.netns } : {}) };
      const stop = new AbortController();
      const onInterrupt = () => stop.abort();
      process.once('SIGINT', onInterrupt);
      try {
        const captured = await capture(container, target, {
          ...(flags.filter ? { filter: flags.filter } : {}),
          ...(flags.count === undefined ? {} : { count: Number(flags.count) }),
          signal: stop.signal,
          onListening: () => info(`Capturing on ${describeTarget(target)}${flags.filter ? ` (${flags.filter})` : ''}; Ctrl+C stops.`),
          ...(ctx.json
            ? {}
            : { onPacket: (packet: CapturedPacket) => process.stdout.write(`${packetClock(packet.time)}  ${packet.summary}\n`) }),
        });
        if (flags.write) await writeFile(flags.write, toPcapng([{ name: describeTarget(target), pcap: captured.pcap }]));
        if (ctx.json) printJson({ ...target, filter: flags.filter ?? null, packets: captured.packets, file: flags.write ?? null });
        else
          info(
            `${captured.packets.length} packet${captured.packets.length === 1 ? '' : 's'}${flags.write ? `, saved to ${flags.write}` : ''}.`,
          );
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
}
