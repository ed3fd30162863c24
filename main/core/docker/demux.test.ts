import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demux } from './demux';

/** One frame as the engine writes it. */
const frame = (kind: 1 | 2, text: string) => {
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(8);
  head[0] = kind;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe('demux', () => {
  const stream = Buffer.concat([frame(1, 'out one, '), frame(2, 'err one'), frame(1, ''), frame(1, 'out two'), frame(2, ', err two')]);

  it('splits the frames into standard output and error however the socket cut them', () => {
    for (const size of [1, 2, 7, 8, 9, 13, stream.length]) {
      const input = new PassThrough();
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      demux(
        input,
        (bytes) => out.push(Buffer.from(bytes)),
        (bytes) => err.push(Buffer.from(bytes)),
      );
      for (let at = 0; at < stream.length; at += size) input.write(stream.subarray(at, at + size));
      expect(Buffer.concat(out).toString()).toBe('out one, out two');
      expect(Buffer.concat(err).toString()).toBe('err one, err two');
    }
  });

  it('hands both streams to one callback when given one', () => {
    const input = new PassThrough();
    const all: string[] = [];
    demux(input, (bytes) => all.push(bytes.toString()));
    input.write(stream);
    expect(all.join('')).toBe('out one, err oneout two, err two');
  });

  it('hands a frame on as views of what was read, without copying it', () => {
    const input = new PassThrough();
    const seen: Buffer[] = [];
    demux(input, (bytes) => seen.push(bytes));
    const one = frame(1, 'x'.repeat(1000));
    input.write(one);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.buffer).toBe(one.buffer);
  });
});
