import MarkdownIt from 'markdown-it';
import { followCommand, type GuideFollow } from '../../../../main/api/view';

/**
 * A step's guide, cut into what the guide panel draws: runs of HTML (to be sanitised before
 * v-html) and top-level fenced code blocks, which become components with a "Run in terminal"
 * button — buttons cannot live inside sanitised HTML, whose event handlers DOMPurify removes.
 *
 * Raw HTML in the Markdown is off (it is shown as text): guides are data, and an edited lab
 * must not be able to put markup in the app. The sanitiser is the second line of defence.
 */

export type { GuideFollow };

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

/** The packet of a block that is one `neutron-lab follow …` command (main/core/lab/guide-follow.ts). */
export const followOf = (code: string): GuideFollow | undefined => followCommand(code)?.follow;

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
