/**
 * Guides are written for the lab's default session, whose name is the lab's id
 * (`neutron-lab shell dhcp-router network`). A session started under another name (the "Session
 * name" field, `up --name`) is what those commands must name, so the guide view rewrites them:
 * the lab id where a command takes a session, and `up <lab>` gains `--name <session>`.
 */

/** The commands whose first argument (after options) is a session name. */
const SESSION_COMMANDS = ['check', 'solve', 'reset', 'hint', 'down', 'status', 'shell', 'exec', 'ovs', 'inspect snapshot', 'inspect trace'];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function forSession(markdown: string, labId: string, session: string | undefined): string {
  if (!session || session === labId) return markdown;
  const id = escape(labId);
  const commands = SESSION_COMMANDS.map((c) => c.replace(' ', '\\s+')).join('|');
  // Options before the name (`--step 2`, `--json`) are kept; the id must stand alone (not `gre-tenant-2`).
  const options = String.raw`(?:\s+--?[a-z][a-z-]*(?:[ =]\d+)?)*`;
  const inSessionCommand = new RegExp(String.raw`(\bneutron-lab\s+(?:${commands})${options}\s+)${id}(?![\w-])`, 'g');
  const up = new RegExp(String.raw`(\bneutron-lab\s+up\s+${id})(?![\w-])(?!\s+--name)`, 'g');
  return markdown.replace(inSessionCommand, `$1${session}`).replace(up, `$1 --name ${session}`);
}
