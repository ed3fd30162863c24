import { describe, expect, it } from 'vitest';
import { readPcap, toPcapng } from './pcapng';

/** A pcap file as tcpdump writes it: 24-byte header, then 16-byte record headers and the bytes. */
function pcap(
  options: { bigEndian?: boolean; nanoseconds?: boolean },
  packets: { seconds: number; fraction: number; data: number[] }[],
): Buffer {
  const u32 = (value: number) => {
    const b = Buffer.alloc(4);
    if (options.bigEndian) b.writeUInt32BE(value);
    else b.writeUInt32LE(value);
    return b;
  };
  const u16 = (value: number) => {
    const b = Buffer.alloc(2);
    if (options.bigEndian) b.writeUInt16BE(value);
    else b.writeUInt16LE(value);
    return b;
  };
  const header = Buffer.concat([u32(options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(262144), u32(1)]);
  return Buffer.concat([
    header,
    ...packets.flatMap((p) => [u32(p.seconds), u32(p.fraction), u32(p.data.length), u32(p.data.length + 10), Buffer.from(p.data)]),
  ]);
}

/** The blocks of a pcapng file: type, body, and the checks every reader makes. */
function blocks(file: Buffer) {
  const found: { type: number; body: Buffer }[] = [];
  for (let offset = 0; offset < file.length;) {
    const length = file.readUInt32LE(offset + 4);
    expect(length % 4).toBe(0);
    expect(file.readUInt32LE(offset + length - 4)).toBe(length);
    found.push({ type: file.readUInt32LE(offset), body: file.subarray(offset + 8, offset + length - 4) });
    offset += length;
  }
  return found;
}

describe('pcap to pcapng', () => {
  const micro = pcap({}, [
    { seconds: 100, fraction: 250_000, data: [1, 2, 3] },
    { seconds: 101, fraction: 0, data: [4, 5, 6, 7, 8] },
  ]);
  const nano = pcap({ bigEndian: true, nanoseconds: true }, [{ seconds: 100, fraction: 500_000_000, data: [9] }]);

  it('reads pcap in either byte order and resolution', () => {
    expect(readPcap(micro)).toMatchObject({ linkType: 1, snapLength: 262144, resolution: 6 });
    expect(readPcap(nano).records).toEqual([{ seconds: 100, fraction: 500_000_000, originalLength: 11, data: Buffer.from([9]) }]);
  });

  it('writes a section, an interface per capture named as given, and every packet in time order', () => {
    const file = toPcapng([
      { name: 'compute1 eth1', pcap: micro },
      { name: 'network eth1', pcap: nano },
    ]);
    const [section, ...rest] = blocks(file);
    expect(section?.type).toBe(0x0a0d0d0a);
    expect(section?.body.readUInt32LE(0)).toBe(0x1a2b3c4d);
    const interfaces = rest.filter((b) => b.type === 1);
    expect(interfaces.map((b) => b.body.subarray(12, 12 + b.body.readUInt16LE(10)).toString())).toEqual(['compute1 eth1', 'network eth1']);
    // if_tsresol follows if_name (padded to 4 bytes): 6 and 9.
    expect(interfaces.map((b) => b.body[12 + Math.ceil(b.body.readUInt16LE(10) / 4) * 4 + 4])).toEqual([6, 9]);
    const packets = rest.filter((b) => b.type === 6);
    const seen = packets.map((b) => ({
      interface: b.body.readUInt32LE(0),
      timestamp: (BigInt(b.body.readUInt32LE(4)) << 32n) | BigInt(b.body.readUInt32LE(8)),
      data: [...b.body.subarray(20, 20 + b.body.readUInt32LE(12))],
      original: b.body.readUInt32LE(16),
    }));
    // 100.25 s, then 100.5 s (the other interface, in nanoseconds), then 101 s.
    expect(seen).toEqual([
      { interface: 0, timestamp: 100_250_000n, data: [1, 2, 3], original: 13 },
      { interface: 1, timestamp: 100_500_000_000n, data: [9], original: 11 },
      { interface: 0, timestamp: 101_000_000n, data: [4, 5, 6, 7, 8], original: 15 },
    ]);
  });

  it('refuses what is not pcap, or is cut short, saying where', () => {
    expect(() => readPcap(Buffer.from('not a capture file at all!'))).toThrow(/Not a pcap file: magic number/);
    expect(() => readPcap(micro.subarray(0, micro.length - 2))).toThrow(/ends inside a packet at byte 43/);
  });
});
