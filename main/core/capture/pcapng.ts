import { AppError } from '../errors';

/**
 * pcap (what tcpdump writes) to pcapng (what Wireshark writes and opens by default), with the
 * interface named as the lab names it ("compute1 eth1") so a file of several captures says
 * where each packet was seen. Only file framing: the packets' bytes are copied untouched.
 * Formats: pcap, https://www.tcpdump.org/manpages/pcap-savefile.5.html; pcapng, IETF
 * draft-ietf-opsawg-pcapng (Section Header, Interface Description and Enhanced Packet blocks).
 */

export interface PcapInterface {
  /** Shown by Wireshark as the packet's interface. */
  name: string;
  pcap: Buffer;
}

interface PcapFile {
  linkType: number;
  snapLength: number;
  /** 6 (microseconds) or 9 (nanoseconds): the pcapng if_tsresol. */
  resolution: 6 | 9;
  records: { seconds: number; fraction: number; originalLength: number; data: Buffer }[];
}

const PCAP_MAGIC: Record<number, 6 | 9> = { 0xa1b2c3d4: 6, 0xa1b23c4d: 9 };

export function readPcap(pcap: Buffer): PcapFile {
  if (pcap.length < 24) throw new AppError('input', `Not a pcap file: ${pcap.length} bytes, shorter than its 24-byte header.`);
  const little = PCAP_MAGIC[pcap.readUInt32LE(0)];
  const big = PCAP_MAGIC[pcap.readUInt32BE(0)];
  const resolution = little ?? big;
  if (resolution === undefined) throw new AppError('input', `Not a pcap file: magic number 0x${pcap.readUInt32LE(0).toString(16)}.`);
  const u32 = (offset: number) => (little !== undefined ? pcap.readUInt32LE(offset) : pcap.readUInt32BE(offset));
  const records: PcapFile['records'] = [];
  for (let offset = 24; offset < pcap.length;) {
    if (offset + 16 > pcap.length) throw new AppError('input', `The pcap file ends inside a packet header at byte ${offset}.`);
    const captured = u32(offset + 8);
    if (offset + 16 + captured > pcap.length) throw new AppError('input', `The pcap file ends inside a packet at byte ${offset}.`);
    records.push({
      seconds: u32(offset),
      fraction: u32(offset + 4),
      originalLength: u32(offset + 12),
      data: pcap.subarray(offset + 16, offset + 16 + captured),
    });
    offset += 16 + captured;
  }
  return { linkType: u32(20) & 0xffff, snapLength: u32(16), resolution, records };
}

/** One pcapng section holding each interface's packets, merged in time order. */
export function toPcapng(interfaces: readonly PcapInterface[]): Buffer {
  const files = interfaces.map((i) => readPcap(i.pcap));
  const blocks: Buffer[] = [sectionHeader()];
  files.forEach((file, index) => blocks.push(interfaceDescription(file, interfaces[index]!.name)));
  const packets = files.flatMap((file, index) =>
    file.records.map((record) => ({
      index,
      record,
      at: BigInt(record.seconds) * 10n ** BigInt(file.resolution) + BigInt(record.fraction),
    })),
  );
  // Each interface's clock has its own resolution: compare in nanoseconds.
  const nanos = (p: (typeof packets)[number]) => p.at * 10n ** BigInt(9 - files[p.index]!.resolution);
  packets.sort((a, b) => (nanos(a) < nanos(b) ? -1 : nanos(a) > nanos(b) ? 1 : 0));
  for (const packet of packets) blocks.push(enhancedPacket(packet.index, packet.at, packet.record.originalLength, packet.record.data));
  return Buffer.concat(blocks);
}

/** A block: type, total length, body (padded to 4 bytes), total length again. */
function block(type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const out = Buffer.alloc(12 + padded.length);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(out.length, 4);
  padded.copy(out, 8);
  out.writeUInt32LE(out.length, out.length - 4);
  return out;
}

/** Options: code, length, value padded to 4 bytes; then opt_endofopt. */
function options(list: [code: number, value: Buffer][]): Buffer {
  const parts = list.map(([code, value]) => {
    const header = Buffer.alloc(4);
    header.writeUInt16LE(code, 0);
    header.writeUInt16LE(value.length, 2);
    return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
  });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

function sectionHeader(): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(0x1a2b3c4d, 0); // byte-order magic
  fixed.writeUInt16LE(1, 4); // version 1.0
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8); // section length: not given
  return block(0x0a0d0d0a, Buffer.concat([fixed, options([[4, Buffer.from('Neutron Lab')]])])); // shb_userappl
}

function interfaceDescription(file: PcapFile, name: string): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(file.linkType, 0);
  fixed.writeUInt32LE(file.snapLength, 4);
  // if_name (2); if_tsresol (9): 10^-6 or 10^-9 seconds.
  return block(
    0x00000001,
    Buffer.concat([
      fixed,
      options([
        [2, Buffer.from(name)],
        [9, Buffer.from([file.resolution])],
      ]),
    ]),
  );
}

function enhancedPacket(interfaceId: number, timestamp: bigint, originalLength: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(interfaceId, 0);
  fixed.writeUInt32LE(Number(timestamp >> 32n), 4);
  fixed.writeUInt32LE(Number(timestamp & 0xffffffffn), 8);
  fixed.writeUInt32LE(data.length, 12);
  fixed.writeUInt32LE(originalLength, 16);
  return block(0x00000006, Buffer.concat([fixed, data]));
}
