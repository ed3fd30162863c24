import { isAscii } from 'node:buffer';
import { AppError } from '../errors';
import type { DecodedField, DecodedLayer, DecodedPacket } from './types';

/**
 * Reads tshark's PDML: Wireshark's dissection of each packet as XML, the tree Wireshark shows
 * (a `showname` for every layer and field) with the display-filter name of each. It is not a
 * protocol decoder: tshark decodes, this only reads its well-formed, regular output — elements
 * `packet`, `proto` and `field`, attributes in double quotes, nothing else.
 */

export function parsePdml(xml: string): DecodedPacket[] {
  const reader = new PdmlReader();
  reader.push(Buffer.from(xml, 'utf8'));
  return reader.end();
}

const PACKET_END = Buffer.from('</packet>');
const BATCH_BYTES = 1 << 20;

/**
 * PDML read as tshark writes it: the packets whose `</packet>` has come are read while tshark
 * dissects the next ones (10,000 packets are 120 MB of it: reading them after tshark was done
 * took as long again). Read a megabyte at a time, not per piece the socket hands on (20 kB,
 * under two packets): each read costs a search and a decode of its own.
 */
export class PdmlReader {
  readonly packets: DecodedPacket[] = [];
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private readAt = BATCH_BYTES;
  /** What could not be read, kept for end(): push runs in a stream's handler, where a throw is nobody's. */
  private failure: unknown;
  /** Whether the document's end came: tshark finished it, whatever its exit code says. */
  complete = false;

  push(chunk: Buffer): void {
    if (this.failure) return;
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    if (this.waitingBytes >= this.readAt) this.readWholePackets();
  }

  /** The packets read; an error if the output ended inside a packet or was not PDML. */
  end(): DecodedPacket[] {
    if (this.failure) throw this.failure;
    const rest = Buffer.concat(this.waiting);
    this.waiting = [];
    this.complete ||= rest.includes('</pdml>');
    readPackets(rest, this.packets);
    return this.packets;
  }

  private readWholePackets(): void {
    const bytes = Buffer.concat(this.waiting);
    // A packet ends with a tag, so where it ends is where a character ends: no decoder state to carry.
    const end = bytes.lastIndexOf(PACKET_END);
    const whole = end < 0 ? 0 : end + PACKET_END.length;
    const rest = bytes.subarray(whole);
    this.waiting = [rest];
    this.waitingBytes = rest.length;
    this.readAt = rest.length + BATCH_BYTES;
    if (whole === 0) return;
    try {
      readPackets(bytes.subarray(0, whole), this.packets);
    } catch (error) {
      this.failure = error;
    }
  }
}

/** An element being read: a layer's fields, or a field's subtree (made when its first child comes). */
interface Open {
  node: { fields: DecodedField[] } | DecodedField | undefined;
}

/**
 * Reads the packets of `xml`, whole ones only, onto `packets`. A scan by indexOf, not a regular
 * expression, and no object per tag but the fields kept: 10,000 packets are a million tags.
 */
function readPackets(bytes: Buffer, packets: DecodedPacket[]): void {
  // Read as Latin-1, a character per byte: copied, not decoded. The few tags with bytes beyond
  // ASCII in them (the "…" of a data field: one a packet) are decoded as the UTF-8 they are.
  // Decoding all as UTF-8 made every string two bytes a character and took a third of the time.
  const xml = bytes.toString('latin1');
  const beyondAscii = isAscii(bytes) ? [] : [...xml.matchAll(/[\x80-\xff]/g)].map((match) => match.index);
  let next = 0;
  let layers: DecodedLayer[] | undefined;
  // The open layer, then the open fields inside it; a hidden field's subtree is read and dropped.
  const open: Open[] = [];
  for (let at = xml.indexOf('<'); at >= 0; at = xml.indexOf('<', at + 1)) {
    const closing = xml.charCodeAt(at + 1) === SLASH;
    const tag = tagAt(xml, closing ? at + 2 : at + 1);
    if (!tag) continue;
    const close = xml.indexOf('>', at);
    if (close < 0) throw malformed(`an unfinished <${tag}>`);
    if (tag === 'packet') {
      if (closing) {
        if (!layers) throw malformed('a </packet> without its <packet>');
        packets.push({ number: numberOf(layers, packets.length + 1), layers });
        layers = undefined;
      } else layers = [];
    } else if (closing) open.pop();
    else {
      if (!layers) throw malformed(`a <${tag}> outside a packet`);
      // Searched within the tag alone: an attribute it lacks (most lack `hide`) is not looked for in the rest.
      let tagText = xml.slice(at + tag.length + 1, close);
      while (next < beyondAscii.length && beyondAscii[next]! < at) next++;
      if (next < beyondAscii.length && beyondAscii[next]! < close) tagText = Buffer.from(tagText, 'latin1').toString('utf8');
      const name = attribute(tagText, 'name') ?? '';
      const parent = open.at(-1);
      let node: Open['node'];
      if (tag === 'proto' && !parent) {
        // geninfo repeats the frame's number, length and time; Wireshark does not show it.
        if (name !== 'geninfo') layers.push((node = { name, text: attribute(tagText, 'showname') ?? name, fields: [] }));
      } else {
        // A layer inside a layer (the packet an ICMP error quotes) is a subtree, as Wireshark draws it.
        if (!parent) throw malformed(`a field (${name}) outside a layer`);
        if (parent.node && attribute(tagText, 'hide') !== 'yes') {
          node = fieldOf(name, attribute(tagText, 'showname'), attribute(tagText, 'show'));
          childrenOf(parent.node).push(node);
        }
      }
      if (xml.charCodeAt(close - 1) !== SLASH) open.push({ node });
    }
    at = close;
  }
  if (layers) throw malformed('the output ended inside a packet');
}

const SLASH = 0x2f;
const TAGS = ['packet', 'proto', 'field'] as const;

/** The element name at `at` when it is one this reader reads (`<pdml>`, `<?xml` are not). */
function tagAt(xml: string, at: number): (typeof TAGS)[number] | undefined {
  const tag = TAGS.find((name) => xml.startsWith(name, at));
  if (!tag) return undefined;
  const next = xml.charCodeAt(at + tag.length);
  return next === 0x20 || next === 0x3e || next === SLASH || next === 0x0a ? tag : undefined;
}

/** A field's subtree; a leaf has no `children` at all until its first child comes. */
function childrenOf(node: NonNullable<Open['node']>): DecodedField[] {
  if ('fields' in node) return node.fields;
  return (node.children ??= []);
}

function fieldOf(name: string, showname: string | undefined, value: string | undefined): DecodedField {
  const text = showname ?? (name && value !== undefined ? `${name}: ${value}` : (value ?? name));
  return value === undefined ? { name, text } : { name, text, value };
}

/** The packet's number in its capture: the frame layer's own (a filtered decode prints one packet of many). */
function numberOf(layers: DecodedLayer[], fallback: number): number {
  const number = layers.find((layer) => layer.name === 'frame')?.fields.find((field) => field.name === 'frame.number')?.value;
  return number === undefined ? fallback : Number(number);
}

const NEEDLES = { name: ' name="', showname: ' showname="', show: ' show="', hide: ' hide="' };

/** Attribute `key` of a tag's text, unescaped; tshark writes each in double quotes. */
function attribute(tagText: string, key: 'name' | 'showname' | 'show' | 'hide'): string | undefined {
  const needle = NEEDLES[key];
  const start = tagText.indexOf(needle);
  if (start < 0) return undefined;
  const from = start + needle.length;
  const value = tagText.slice(from, tagText.indexOf('"', from));
  return value.includes('&') ? unescapeXml(value) : value;
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|quot|amp|lt|gt|apos);/g, (_, entity: string) =>
    entity.startsWith('#x')
      ? String.fromCodePoint(parseInt(entity.slice(2), 16))
      : entity.startsWith('#')
        ? String.fromCodePoint(Number(entity.slice(1)))
        : ENTITIES[entity]!,
  );
}

function malformed(what: string): AppError {
  return new AppError('failed', `tshark's output could not be read: ${what}.`);
}
