import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../lab/load';
import { resolveCloud, type ResolvedPool } from '../model';
import { haproxyConfig, lbaasNamespace, poolPart } from './lbaas-agent';

/**
 * LBaaS v1's haproxy driver writes the book's configuration for pool 574a31da (002 §负载均衡,
 * lines 1962-1990), with the health monitor's options the driver adds once a monitor is
 * associated with the pool (the book's listing has none).
 */

const root = join(import.meta.dirname, '..', '..', '..', '..');
const labFile = join(root, 'labs', 'lbaas', 'lab.yaml');
const lab = parseLab(readFileSync(labFile, 'utf8'), labFile).lab;
const model = resolveCloud(lab);
const pool = model.pools[0] as ResolvedPool;

/** The book's file, its print wrapping undone (a line starting "-" or "weight" continues the one before). */
function bookConfig(): string[] {
  const lines = readFileSync(join(root, 'main', 'core', 'inspect', 'fixtures', 'seed', '002-L1962.haproxy.txt'), 'utf8')
    .split('\n')
    .slice(2);
  const joined: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (/^-/.test(line)) joined[joined.length - 1] += line;
    else if (/^\s+weight /.test(line)) joined[joined.length - 1] += ` ${line.trim()}`;
    else joined.push(line);
  }
  // devstack's state_path (/opt/stack/data/neutron) instead of the packaged /var/lib/neutron.
  return joined.map((l) => l.trimEnd().replace('/opt/stack/data/neutron/', '/var/lib/neutron/'));
}

describe('the LBaaS v1 haproxy driver', () => {
  it("writes the book's configuration, plus the monitor's check options", () => {
    const withoutMonitor = haproxyConfig({ ...pool, monitor: undefined })
      .trimEnd()
      .split('\n');
    expect(withoutMonitor).toEqual(bookConfig());
    const withMonitor = haproxyConfig(pool).trimEnd().split('\n');
    expect(withMonitor.filter((l) => !withoutMonitor.includes(l))).toEqual([
      '    timeout check 1s',
      '    server 45481748-3104-462c-ae4b-fae0f4b08c20 10.0.0.2:22 weight 1 check inter 1s fall 2',
      '    server 227b69fe-8685-4df6-b2a5-2f964c74886c 10.0.0.4:22 weight 1 check inter 1s fall 2',
    ]);
  });

  it('balances by the pool method, speaks HTTP with forwardfor, and checks by HTTP when asked', () => {
    const http = haproxyConfig({
      ...pool,
      protocol: 'HTTP',
      method: 'ROUND_ROBIN',
      monitor: { type: 'HTTP', delay: 2, timeout: 1, retries: 3, path: '/health' },
    });
    expect(http).toContain(
      '    mode http\n    balance roundrobin\n    option forwardfor\n    timeout check 1s\n    option httpchk GET /health\n    http-check expect rstatus 200\n',
    );
    expect(http).toContain('weight 1 check inter 2s fall 3');
  });

  it('puts the VIP on a tap port of br-int in qlbaas-<pool id> and starts haproxy there, once', () => {
    expect(lbaasNamespace(pool)).toBe('qlbaas-574a31da-a28a-449f-8c9d-3d3687c3c02a');
    const part = poolPart(model, model.nodes.get('network') as never, pool);
    expect(part.key).toBe('network/pool/lb-pool');
    const argvs = part.steps.map((s) => s.argv.join(' '));
    expect(argvs).toContain(
      'ovs-vsctl --may-exist add-port br-int tapfb358342-59 -- set interface tapfb358342-59 type=internal external_ids:iface-id=fb358342-59d0-4c1e-9a2b-6e8f0a1c3d57 external_ids:attached-mac=fa:16:3e:68:77:37 external_ids:iface-status=active -- set port tapfb358342-59 tag=1',
    );
    expect(argvs).toContain('ip netns exec qlbaas-574a31da-a28a-449f-8c9d-3d3687c3c02a ip addr replace 10.0.0.250/24 dev tapfb358342-59');
    const haproxy = part.steps.find((s) => s.argv.includes('haproxy'));
    expect(haproxy?.argv.slice(4)).toEqual([
      'haproxy',
      '-f',
      '/var/lib/neutron/lbaas/574a31da-a28a-449f-8c9d-3d3687c3c02a/conf',
      '-p',
      '/var/lib/neutron/lbaas/574a31da-a28a-449f-8c9d-3d3687c3c02a/pid',
    ]);
    expect(haproxy?.unless).toBeDefined();
  });
});
