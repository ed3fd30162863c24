import MarkdownIt from 'markdown-it';

/**
 * A step's guide, cut into what the guide panel draws: runs of HTML (to be sanitised before
 * v-html) and top-level fenced code blocks, which become components with a "Run in terminal"
 * button — buttons cannot live inside sanitised HTML, whose event handlers DOMPurify removes.
 *
 * Raw HTML in the Markdown is off (it is shown as text): guides are data, and an edited lab
 * must not be able to put markup in the app. The sanitiser is the second line of defence.
 */

/** The packet a guide's `neutron-lab follow` command follows: the app can follow it too, in its follow panel. */
export interface GuideFollow {
  from: string;
  to: string;
  proto?: 'icmp' | 'tcp' | 'http';
  port?: number;
}

export type GuideSegment =
  { kind: 'html'; html: string } | { kind: 'code'; lang: string; code: string; runnable: boolean; follow?: GuideFollow };

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
type Token = ReturnType<typeof md.parse>[number];

/**
 * Info strings of blocks that show output rather than commands: typing a flow dump into a shell
 * would run nonsense, so these get no button.
 */
const OUTPUT_LANGS = new Set(['text', 'txt', 'output', 'plain', 'plaintext', 'console-output', 'yaml', 'json']);

/**
 * Blocks of `neutron-lab …` commands are for the learner's own machine (the guides also serve
 * CLI users); typed into a node's shell they would only fail.
 */
const hostOnly = (code: string): boolean => {
  const lines = code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  return lines.length > 0 && lines.every((l) => /^(npx\s+)?neutron-lab(\s|$)/.test(l));
};

/**
 * A block that is one `neutron-lab follow LAB --from VM --to TARGET [--proto P] [--port N]`:
 * the packet it follows. Anything else on the line (another flag, a value missing) makes it a
 * plain command for the learner's own terminal.
 */
export function followOf(code: string): GuideFollow | undefined {
  const lines = code
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#'));
  const words = lines.length === 1 ? lines[0]!.split(/\s+/) : [];
  if (words[0] === 'npx') words.shift();
  if (words[0] !== 'neutron-lab' || words[1] !== 'follow' || !words[2] || words[2].startsWith('-')) return undefined;
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
  return { from, to, ...(proto ? { proto } : {}), ...(port ? { port: Number(port) } : {}) };
}

export function splitGuide(markdown: string): GuideSegment[] {
  const env = {};
  const tokens = md.parse(markdown, env);
  const segments: GuideSegment[] = [];
  let run: Token[] = [];
  const flush = () => {
    if (run.length) segments.push({ kind: 'html', html: md.renderer.render(run, md.options, env) });
    run = [];
  };
  for (const token of tokens) {
    if (token.type === 'fence' && token.level === 0) {
      flush();
      const lang = token.info.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
      const runnable = !OUTPUT_LANGS.has(lang) && !hostOnly(token.content);
      const follow = OUTPUT_LANGS.has(lang) ? undefined : followOf(token.content);
      segments.push({ kind: 'code', lang, code: token.content, runnable, ...(follow ? { follow } : {}) });
    } else {
      run.push(token);
    }
  }
  flush();
  return segments;
}
