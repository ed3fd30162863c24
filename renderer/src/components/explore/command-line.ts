/**
 * A command line typed in the explore box, as argv: words split on blanks, '…' and "…" keep
 * blanks (a backslash escapes in "…" and outside quotes), no shell. A leading `openstack` is the
 * command's own name and is dropped.
 */
export function commandArgv(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word = (word ?? '') + line[++i];
      else word = (word ?? '') + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i];
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (word !== undefined) words.push(word);
  return words[0] === 'openstack' ? words.slice(1) : words;
}
