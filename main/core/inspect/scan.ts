/**
 * A tiny scanner shared by the OVS parsers: splitting at top-level separators while respecting
 * parentheses, brackets and double quotes. It reports unbalanced input by offset instead of
 * guessing, so parsers can say exactly where a line is broken.
 */

export class ScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Piece {
  text: string;
  /** Offset of the piece's first character in the scanned string. */
  offset: number;
}

/**
 * Splits text[start, end) at top-level occurrences of the separators (`,` by default; pass
 * `' '` too to split on runs of whitespace). Pieces are trimmed; empty pieces are dropped.
 */
export function splitTopLevel(text: string, start = 0, end = text.length, whitespaceSeparates = false): Piece[] {
  const pieces: Piece[] = [];
  // Open brackets as char codes and positions; a plain array beats objects on this hot path.
  const openCodes: number[] = [];
  const openAt: number[] = [];
  let pieceStart = start;
  let quoteAt = -1;
  const push = (from: number, to: number) => {
    let a = from;
    let b = to;
    while (a < b && isSpace(text.charCodeAt(a))) a++;
    while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
    if (b > a) pieces.push({ text: text.slice(a, b), offset: a });
  };
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (quoteAt >= 0) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) quoteAt = -1;
      continue;
    }
    switch (c) {
      case QUOTE:
        quoteAt = i;
        break;
      case OPEN_PAREN:
      case OPEN_BRACKET:
        openCodes.push(c);
        openAt.push(i);
        break;
      case CLOSE_PAREN:
      case CLOSE_BRACKET: {
        const open = openCodes.pop();
        openAt.pop();
        if (open === undefined) throw new ScanError(i, `"${text[i]}" closes nothing`);
        const expected = open === OPEN_PAREN ? CLOSE_PAREN : CLOSE_BRACKET;
        if (c !== expected) throw new ScanError(i, `"${text[i]}" where "${String.fromCharCode(expected)}" was expected`);
        break;
      }
      default:
        if (openCodes.length === 0 && (c === COMMA || (whitespaceSeparates && isSpace(c)))) {
          push(pieceStart, i);
          pieceStart = i + 1;
        }
    }
  }
  if (quoteAt >= 0) throw new ScanError(quoteAt, 'a quote is never closed');
  const unclosed = openAt.pop();
  if (unclosed !== undefined) throw new ScanError(unclosed, `"${text[unclosed]}" is never closed`);
  push(pieceStart, end);
  return pieces;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Index of the bracket — (, [ or { — closing the one at `open` (quotes respected), or -1 when there is none. */
export function findClosing(text: string, open: number): number {
  let depth = 0;
  let inQuote = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

export function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** `"patch-int"` → `patch-int`; other text unchanged. */
export function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).replace(/\\(.)/g, '$1');
  return text;
}
