import { z } from 'zod';
import { inNamespace } from '../../docker/exec';
import { PlaceSchema } from './fields';
import { probeKind, type Outcome, type ProbeContext } from './kind';
import { probePlace, firstLine } from './text';

export const HttpProbe = z
  .object({
    kind: z.literal('http'),
    from: PlaceSchema,
    url: z.string().url(),
    status: z.number().int().default(200),
    body: z.string().optional().describe('A regular expression every body must match.'),
    requests: z.number().int().min(1).max(20).default(1).describe('How many requests to send, one after another.'),
    spread: z
      .array(z.string())
      .min(2)
      .optional()
      .describe(
        'Regular expressions each matched by some answer, e.g. the members a balancer spreads requests over (it keeps asking, up to 3 s).',
      ),
  })
  .strict();

export const httpProbe = probeKind({ kind: 'http', schema: HttpProbe, probe: (check, ctx) => http(check, ctx) });

async function http(check: z.infer<typeof HttpProbe>, ctx: ProbeContext): Promise<Outcome> {
  const where = ctx.where(check.from);
  const wants = [
    check.body && `${check.requests > 1 ? 'every' : 'a'} body matching /${check.body}/`,
    check.spread && `answers matching each of ${check.spread.map((p) => `/${p}/`).join(', ')}`,
  ].filter(Boolean);
  const expected = `GET ${check.url} from ${probePlace(where)}${check.requests > 1 ? ` (${check.requests} times)` : ''} answers ${check.status}${wants.length ? ` with ${wants.join(' and ')}` : ''}`;
  // Each answer: curl's exit code, then the body and the status (or curl's error).
  const judge = (exitCode: number, output: string): { ok: boolean; seen: string } => {
    const lines = output.split('\n');
    const status = Number(lines.pop());
    const body = lines.join('\n');
    const ok = exitCode === 0 && status === check.status && (!check.body || new RegExp(check.body, 'm').test(body));
    return { ok, seen: exitCode === 0 ? `${status}: ${firstLine(body).slice(0, 60)}` : firstLine(output) || `curl exited ${exitCode}` };
  };
  // `count` requests one after another in one exec (an exec costs the engine a tenth of a second of CPU).
  const ask = async (count: number): Promise<{ ok: boolean; seen: string }[]> => {
    const result = await ctx.run(where.node, inNamespace(['sh', '-c', REQUESTS, 'nl-http', String(count), check.url], where.namespace));
    const answered = result.stdout
      .split(RECORD)
      .slice(1)
      .map((record) => {
        const newline = record.indexOf('\n');
        return judge(Number(record.slice(0, newline)), record.slice(newline + 1).replace(/\n$/, ''));
      });
    // No answer at all: the requests could not be sent (no such namespace, no curl).
    return answered.length > 0 ? answered : [{ ok: false, seen: firstLine(result.stderr) || `exit ${result.exitCode}` }];
  };
  // Ask `requests` times; with a spread, a balancer may still be bringing a member back, so
  // keep asking (up to 3 s) until each pattern has answered. The first failure ends it.
  const answers: { ok: boolean; seen: string }[] = [];
  const failed = () => answers.some((a) => !a.ok);
  const unseen = () => (check.spread ?? []).filter((p) => !answers.some((a) => new RegExp(p, 'm').test(a.seen)));
  const deadline = Date.now() + 3000;
  answers.push(...(await ask(check.requests)));
  const firstFailure = answers.findIndex((a) => !a.ok);
  if (firstFailure >= 0) answers.splice(firstFailure + 1);
  while (!failed() && unseen().length > 0 && Date.now() < deadline) answers.push(...(await ask(1)));
  const missing = failed() ? [] : unseen();
  const found = answers.length === 1 ? (answers[0]?.seen ?? '') : `${answers.length} answers: ${summarize(answers.map((a) => a.seen))}`;
  return {
    passed: !failed() && missing.length === 0,
    expected,
    found: missing.length > 0 ? `${found}; never ${missing.map((p) => `/${p}/`).join(', ')}` : found,
  };
}

/** Separates the answers in the output of REQUESTS. */
const RECORD = '\x1e';

/**
 * $1 requests to URL $2, one after another, each printed as RECORD, curl's exit code, a newline,
 * then the body and the status, or curl's error when it could not make the request, which ends it. The count and the URL come as arguments, never inside the script.
 */
const REQUESTS = `err=$(mktemp)
trap 'rm -f "$err"' EXIT
i=0
while [ "$i" -lt "$1" ]; do
  out=$(curl -s -S --connect-timeout 1 --max-time 2 -o - -w '\\n%{http_code}' "$2" 2>"$err")
  code=$?
  [ "$code" -eq 0 ] || out=$(cat "$err")
  printf '\\036%s\\n%s\\n' "$code" "$out"
  [ "$code" -eq 0 ] || exit 0
  i=$((i + 1))
done`;

/** "200: vm1 ×3, 200: vm2 ×2": repeated answers counted. */
function summarize(seen: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => (n > 1 ? `${s} ×${n}` : s)).join(', ');
}
