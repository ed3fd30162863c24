import { ParseError } from '../parse-error';

/** One section of nl-snapshot's output: a command's result (or its error). */
export interface Frame {
  name: string;
  status: number;
  /** Standard output when status is 0, standard error otherwise. */
  text: string;
}

/**
 * Reads nl-snapshot's framing: `@@ <status> <length> <name>\n`, exactly <length> bytes, `\n`.
 * Lengths count bytes, so the reader works on the raw buffer, never on decoded text.
 */
export function readFrames(output: Buffer, source = 'nl-snapshot'): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (at < output.length) {
    const newline = output.indexOf(0x0a, at);
    const header = output.toString('utf8', at, newline < 0 ? output.length : newline);
    const match = /^@@ (\d+) (\d+) (.+)$/.exec(header);
    if (!match || newline < 0) {
      throw new ParseError(
        'a node snapshot',
        lineAt(output, at),
        1,
        `expected a section header "@@ status length name", found "${header.slice(0, 60)}"`,
        source,
      );
    }
    const length = Number(match[2]);
    const start = newline + 1;
    const end = start + length;
    if (end + 1 > output.length) throw new ParseError('a node snapshot', lineAt(output, at), 1, `section ${match[3]} is cut short`, source);
    frames.push({ name: match[3] as string, status: Number(match[1]), text: output.toString('utf8', start, end) });
    at = end + 1; // the newline after the content
  }
  return frames;
}

function lineAt(buffer: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (buffer[i] === 0x0a) line++;
  return line;
}
