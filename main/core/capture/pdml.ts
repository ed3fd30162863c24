import { AppError } from '../errors';
import type { DecodedField, DecodedLayer, DecodedPacket } from './types';

/**
 * Reads tshark's PDML: Wireshark's dissection of each packet as XML, the tree Wireshark shows
 * (a `showname` for every layer and field) with the display-filter name of each. It is not a
 * protocol decoder: tshark decodes, this only reads its well-formed, regular output — elements
 * `packet`, `proto` and `field`, attributes in double quotes, nothing else.
 */

const TAG = /<(\/?)(packet|proto|field)\b([^>]*?)(\/?)>/g;

export function parsePdml(xml: string): DecodedPacket[] {
  const packets: DecodedPacket[] = [];
  let layers: DecodedLayer[] | undefined;
  // The open layer, then the open fields inside it; a hidden field's subtree is read and dropped.
  const open: { children: DecodedField[] }[] = [];
  for (const match of xml.matchAll(TAG)) {
    const [, closing, tag, attributeText = '', selfClosing] = match;
    if (tag === 'packet') {
      if (closing) {
        if (!layers) throw malformed('a </packet> without its <packet>');
        const tidy = layers.map((layer) => ({ ...layer, fields: leavesPlain(layer.fields) }));
        packets.push({ number: numberOf(tidy, packets.length + 1), layers: tidy });
        layers = undefined;
      } else layers = [];
      continue;
    }
    if (closing) {
      open.pop();
      continue;
    }
    if (!layers) throw malformed(`a <${tag}> outside a packet`);
    const attributes = attributesOf(attributeText);
    const name = attributes.name ?? '';
    const children: DecodedField[] = [];
    const parent = open.at(-1);
    if (tag === 'proto' && !parent) {
      // geninfo repeats the frame's number, length and time; Wireshark does not show it.
      if (name !== 'geninfo') layers.push({ name, text: attributes.showname ?? name, fields: children });
    } else {
      // A layer inside a layer (the packet an ICMP error quotes) is a subtree, as Wireshark draws it.
      if (!parent) throw malformed(`a field (${name}) outside a layer`);
      if (attributes.hide !== 'yes') parent.children.push(fieldOf(name, attributes, children));
    }
    if (!selfClosing) open.push({ children });
  }
  if (layers) throw malformed('the output ended inside a packet');
  return packets;
}

interface OpenField extends DecodedField {
  children: DecodedField[];
}

function fieldOf(name: string, attributes: Record<string, string>, children: DecodedField[]): OpenField {
  const value = attributes.show;
  const text = attributes.showname ?? (name && value !== undefined ? `${name}: ${value}` : (value ?? name));
  return { name, text, ...(value !== undefined ? { value } : {}), children };
}

/** A field with nothing under it has no `children` at all: the tree's leaves are plain. */
function leavesPlain(fields: DecodedField[]): DecodedField[] {
  return fields.map(({ children, ...field }) => (children?.length ? { ...field, children: leavesPlain(children) } : field));
}

/** The packet's number in its capture: the frame layer's own (a filtered decode prints one packet of many). */
function numberOf(layers: DecodedLayer[], fallback: number): number {
  const number = layers.find((layer) => layer.name === 'frame')?.fields.find((field) => field.name === 'frame.number')?.value;
  return number === undefined ? fallback : Number(number);
}

/** The attributes this reader uses, looked up by name: thousands of packets carry millions of attributes it skips. */
function attributesOf(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const key of ['name', 'showname', 'show', 'hide']) {
    const start = text.indexOf(` ${key}="`);
    if (start < 0) continue;
    const from = start + key.length + 3;
    const value = text.slice(from, text.indexOf('"', from));
    attributes[key] = value.includes('&') ? unescapeXml(value) : value;
  }
  return attributes;
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
