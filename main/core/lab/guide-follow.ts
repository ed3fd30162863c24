/**
 * A guide's `neutron-lab follow LAB --from VM --to TARGET [--proto P] [--port N]` block: the app
 * offers to follow its packet (renderer/src/components/guide), and lint checks that the VM and
 * target it names are the lab's (./validate.ts). Pure: the renderer imports it through main/api/view.
 */

/** The packet a guide's follow command follows. */
export interface GuideFollow {
  from: string;
  to: string;
  proto?: 'icmp' | 'tcp' | 'http';
  port?: number;
}

/**
 * A block that is one follow command: the lab (or session) it names and its packet. Anything
 * else on the line (another flag, a value missing) makes it a plain command for the learner's
 * own terminal, and undefined here.
 */
export function followCommand(code: string): { lab: string; follow: GuideFollow } | undefined {
  const lines = code
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
  const words = lines.length === 1 ? lines[0]!.split(/\s+/) : [];
  if (words[0] === 'npx') words.shift();
  const lab = words[2];
  if (words[0] !== 'neutron-lab' || words[1] !== 'follow' || !lab || lab.startsWith('-')) return undefined;
  const flags = new Map<string, string>();
  for (let i = 3; i < words.length; i += 2) {
    const [flag, value] = [words[i]!, words[i + 1]];
    if (!['--from', '--to', '--proto', '--port'].includes(flag) || value === undefined || flags.has(flag)) return undefined;
    flags.set(flag, value);
  }
  const [from, to, proto, port] = ['--from', '--to', '--proto', '--port'].map((flag) => flags.get(flag));
  if (!from || !to) return undefined;
  if (proto !== undefined && proto !== 'icmp' && proto !== 'tcp' && proto !== 'http') return undefined;
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return undefined;
  return { lab, follow: { from, to, ...(proto ? { proto } : {}), ...(port ? { port: Number(port) } : {}) } };
}

/** The fenced code blocks of a Markdown text (top level, ``` or ~~~), with the line each starts on (1-based). */
export function fencedBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith(fence); i++) body.push(lines[i]!);
    blocks.push({ line: start + 1, code: body.join('\n') });
  }
  return blocks;
}
