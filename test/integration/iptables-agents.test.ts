import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execArgv } from '../../main/core/docker/exec';
import { resolveLab } from '../../main/core/lab/catalog';
import { solveLab, startLab } from '../../main/core/run';
import { appRoot } from '../../main/core/paths';
import { requireNode } from '../../main/core/session/sessions';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { testEngine, uniqueName } from './helpers';

/**
 * The agents that write filter tables, on live nodes, against the book: the security-group
 * driver's table for port 583c7038-d3 (002 §安全组) and FWaaS's chains for firewall d8ed9898 in
 * router 40fff075's namespace (002 §防火墙). Applying a solved lab's parts again changes nothing.
 */

const sessions = { sg: uniqueName('sg'), fw: uniqueName('fw') };
const ROUTER_NS = 'qrouter-40fff075-d3a2-477b-942c-6b1adb42e35e';

/** A fixture's rules without counters, as `iptables -S` prints them; MACs lower-case (nf_tables prints them so, the book's iptables-legacy upper-case). */
function bookRules(name: string): string[] {
  return readFileSync(join(appRoot(), 'main', 'core', 'inspect', 'fixtures', 'book', name), 'utf8')
    .split('\n')
    .map((line) => line.replace(/^\[\d+:\d+\] /, ''))
    .filter((line) => line.startsWith('-A'))
    .map(lowerMacs);
}
const lowerMacs = (line: string) => line.replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/gi, (mac) => mac.toLowerCase());

async function run(session: string, node: string, ...argv: string[]): Promise<string> {
  const result = await execArgv(await requireNode(await testEngine(), session, node), argv);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}
const liveRules = async (session: string, node: string, ...prefix: string[]) =>
  (await run(session, node, ...prefix, 'iptables', '-S'))
    .split('\n')
    .filter((line) => line.startsWith('-A'))
    .map(lowerMacs);

beforeAll(async () => {
  const engine = await testEngine();
  await Promise.all([
    startLab(engine, await resolveLab('security-groups'), { name: sessions.sg }).then(() => solveLab(engine, sessions.sg)),
    startLab(engine, await resolveLab('fwaas'), { name: sessions.fw }).then(() => solveLab(engine, sessions.fw)),
  ]);
}, 120_000);

afterAll(async () => {
  const engine = await testEngine();
  await Promise.all(Object.values(sessions).map((name) => removeSessionsNamed(engine, name)));
});

describe('the security-group driver, against the book', () => {
  it("compute1's filter table is the book's, line for line (lines 1614-1834)", async () => {
    // The book's host also has its own INPUT rules (nagios, REJECT): not Neutron's, not rendered.
    expect(await liveRules(sessions.sg, 'compute1')).toEqual(bookRules('sg-583c7038.save.txt').filter((line) => line.includes('neutron')));
  });

  it('solving again changes nothing', async () => {
    const before = await run(sessions.sg, 'compute1', 'iptables', '-S');
    await solveLab(await testEngine(), sessions.sg);
    expect(await run(sessions.sg, 'compute1', 'iptables', '-S')).toBe(before);
  });
});

describe('FWaaS v1, against the book', () => {
  const inRouter = ['ip', 'netns', 'exec', ROUTER_NS];

  it("the router's filter table holds the book's chains (lines 2069-2089), then the default policy", async () => {
    const live = await liveRules(sessions.fw, 'network', ...inRouter);
    const book = bookRules('fwaas-d8ed9898.save.txt');
    // Everything the book prints, in its order within each chain…
    for (const chain of new Set(book.map((l) => l.split(' ')[1]))) {
      const ofChain = (lines: string[]) => lines.filter((l) => l.split(' ')[1] === chain);
      expect(ofChain(live).slice(0, ofChain(book).length), chain).toEqual(ofChain(book));
    }
    // …and what it leaves out: the default policy that drops the rest.
    expect(live.filter((l) => !book.includes(l))).toEqual([
      '-A neutron-vpn-agen-FORWARD -o qr-+ -j neutron-vpn-agen-fwaas-defau',
      '-A neutron-vpn-agen-FORWARD -i qr-+ -j neutron-vpn-agen-fwaas-defau',
      '-A neutron-vpn-agen-fwaas-defau -j DROP',
    ]);
  });

  it('solving again changes nothing', async () => {
    const before = await run(sessions.fw, 'network', ...inRouter, 'iptables', '-S');
    await solveLab(await testEngine(), sessions.fw);
    expect(await run(sessions.fw, 'network', ...inRouter, 'iptables', '-S')).toBe(before);
  });
});
