import MarkdownIt from 'markdown-it';

/**
 * A step's guide, cut into what the guide panel draws: runs of HTML (to be sanitised before
 * v-html) and top-level fenced code blocks, which become components with a "Run in terminal"
 * button — buttons cannot live inside sanitised HTML, whose event handlers DOMPurify removes.
 *
 * Raw HTML in the Markdown is off (it is shown as text): guides are data, and an edited lab
 * must not be able to put markup in the app. The sanitiser is the second line of defence.
 */

export type GuideSegment = { kind: 'html'; html: string } | { kind: 'code'; lang: string; code: string; runnable: boolean };

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
      segments.push({ kind: 'code', lang, code: token.content, runnable: !OUTPUT_LANGS.has(lang) && !hostOnly(token.content) });
    } else {
      run.push(token);
    }
  }
  flush();
  return segments;
}
