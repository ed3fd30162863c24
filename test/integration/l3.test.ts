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
 * The L3 and DHCP agents on live nodes reproduce what the book prints for its router and
 * DHCP namespaces: the router namespace's nat table line for line, its addresses and routes,
 * and the qdhcp namespace of the book's network.
 */

const session = uniqueName('l3');
const ROUTER_NS = 'qrouter-40fff075-d3a2-477b-942c-6b1adb42e35e';
const book = (name: string) => readFileSync(join(appRoot(), 'main', 'core', 'inspect', 'fixtures', 'seed', name), 'utf8');

async function onNetwork(...argv: string[]): Promise<string> {
  const result = await execArgv(await requireNode(await testEngine(), session, 'network'), argv);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  await startLab(await testEngine(), await resolveLab('dhcp-router'), { name: session });
  await solveLab(await testEngine(), session);
}, 120_000);

afterAll(async () => {
  await removeSessionsNamed(await testEngine(), session);
});

describe('the solved dhcp-router lab, against the book', () => {
  it("the router's nat table is the book's, line for line (002, lines 1539-1562)", async () => {
    const printed = book('002-L1539.iptables.txt')
      .split('\n')
      .filter((line) => line.startsWith('-'));
    const live = (await onNetwork('ip', 'netns', 'exec', ROUTER_NS, 'iptables', '-t', 'nat', '-S')).trim().split('\n');
    expect(live).toEqual(printed);
  });

  it("the router's ports and routes are the book's (lines 1495-1534)", async () => {
    const addresses = await onNetwork('ip', 'netns', 'exec', ROUTER_NS, 'ip', '-o', '-4', 'addr', 'show');
    expect(addresses).toMatch(/qr-694450d6-f6\s+inet 10\.0\.0\.1\/24/);
    expect(addresses).toMatch(/qg-e76de35e-90\s+inet 9\.186\.100\.2\/24/);
    const links = await onNetwork('ip', 'netns', 'exec', ROUTER_NS, 'ip', '-o', 'link', 'show');
    expect(links).toMatch(/qr-694450d6-f6:.*link\/ether fa:16:3e:5d:18:10/);
    expect(links).toMatch(/qg-e76de35e-90:.*link\/ether fa:16:3e:70:24:92/);
    const routes = await onNetwork('ip', 'netns', 'exec', ROUTER_NS, 'ip', 'route');
    expect(
      routes
        .trim()
        .split('\n')
        .map((r) => r.trim()),
    ).toEqual([
      'default via 9.186.100.1 dev qg-e76de35e-90',
      '9.186.100.0/24 dev qg-e76de35e-90 proto kernel scope link src 9.186.100.2',
      '10.0.0.0/24 dev qr-694450d6-f6 proto kernel scope link src 10.0.0.1',
    ]);
  });

  it("the DHCP namespace is named after the book's network and holds ns-f14c598d-98 (lines 464-481)", async () => {
    expect(await onNetwork('ip', 'netns', 'list')).toMatch(/^qdhcp-88b1609c-68e0-49ca-a658-f1edff54a264/m);
    const addresses = await onNetwork(
      'ip',
      'netns',
      'exec',
      'qdhcp-88b1609c-68e0-49ca-a658-f1edff54a264',
      'ip',
      '-o',
      '-4',
      'addr',
      'show',
    );
    expect(addresses).toMatch(/ns-f14c598d-98\s+inet 10\.0\.0\.3\/24/);
    const dnsmasq = await onNetwork('pgrep', '-a', '-x', 'dnsmasq');
    expect(dnsmasq).toMatch(
      /--interface=ns-f14c598d-98 .*--dhcp-hostsfile=\/var\/lib\/neutron\/dhcp\/88b1609c-68e0-49ca-a658-f1edff54a264\/host/,
    );
  });
});
