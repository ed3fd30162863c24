import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../lab/load';
import { resolveCloud, type NodeModel, type ResolvedRouter } from '../model';
import { deviceName } from '../names';
import { renderCloud } from '../render';

/**
 * The DVR flows of the dvr lab against the book's (002 §分布式路由, lines 2225-2285). The book
 * prints them with placeholders (red1-L-vlan, r1-red-mac, dvr-cn1-mac…) in a pseudo-syntax
 * (`actions: drop`, `goto table 1`); filled in with the lab's values and written as ovs-ofctl
 * writes them, each must be a flow the lab renders, on the host the book puts it on: br-tun's
 * on cn1 (compute1), which routes, br-int's on cn2 (compute2), which receives.
 */

const root = join(import.meta.dirname, '..', '..', '..', '..');
const labFile = join(root, 'labs', 'dvr', 'lab.yaml');
const lab = parseLab(readFileSync(labFile, 'utf8'), labFile).lab;
const model = resolveCloud(lab);
const plan = renderCloud(lab, model);
const router = model.routers[0] as ResolvedRouter;
const [red, green] = router.interfaces as [ResolvedRouter['interfaces'][number], ResolvedRouter['interfaces'][number]];
const node = (name: string) => model.nodes.get(name) as NodeModel;

/** The flows the plan adds to a bridge of a node, as written (ovs-ofctl add-flows input). */
function rendered(nodeName: string, bridge: string): string[] {
  return plan.parts
    .filter((p) => p.ref.node === nodeName)
    .flatMap((p) => p.steps)
    .filter((s) => s.argv[0] === 'ovs-ofctl' && s.argv[1] === 'add-flows' && s.argv[2] === bridge)
    .flatMap((s) => (s.input ?? '').trim().split('\n'));
}

/** The book's flow lines, print wrapping undone (a line not starting "table=" continues the one before). */
function bookFlows(): string[] {
  const text = readFileSync(join(root, 'main', 'core', 'inspect', 'fixtures', 'seed', '002-L2225.dvr-flows.txt'), 'utf8');
  const flows: string[] = [];
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inBlock = !inBlock;
    else if (inBlock && line.startsWith('table=')) flows.push(line.trim());
    else if (inBlock && flows.length > 0 && /^\S/.test(line) && !/^(DVR|Table)/.test(line)) flows[flows.length - 1] += line.trim();
  }
  return [...new Set(flows)]; // the book prints br-int's table 1 rule twice
}

/** A book flow in ovs-ofctl's words, its placeholders filled in for the host it is on. */
function fill(flow: string, host: NodeModel): string {
  const vlan = (network: string) => String(host.localVlans.get(network));
  return flow
    .replace(/\s+/g, '')
    .replace(/(red[12][-_]L[-_]vlan)/g, vlan('red'))
    .replace(/(grn[12][-_]L[-_]vlan)/g, vlan('green'))
    .replace(/r1-red-ip/g, red.address)
    .replace(/r1-grn-ip/g, green.address)
    .replace(/r1-red-mac/gi, red.mac)
    .replace(/r1-grn-mac/gi, green.mac)
    .replace(/grn-subnet/g, green.subnet.cidr)
    .replace(/dvr-cn1-mac/g, node('compute1').dvrMac as string)
    .replace(/port-vm2/g, deviceName('qvo', model.ports.find((p) => p.name === 'vm2')?.portId ?? ''))
    .replace('dl_type=arp', 'arp')
    .replace('ar_tpa=', 'arp_tpa=')
    .replace('actions:', ',actions=')
    .replace(/mod_dl_src=/g, 'mod_dl_src:')
    .replace('gototable1', 'resubmit(,1)')
    .replace('output->NORMAL', 'NORMAL')
    .replace('output->', 'output:')
    .replace(/,,/g, ',');
}

/** Table, priority and match as a set of fields, and the actions: how two spellings of one flow compare. */
function key(flow: string): { at: string; actions: string } {
  const [match = '', actions = ''] = flow.split(',actions=');
  const fields = match.split(',').filter(Boolean);
  const ip = fields.includes('ip') || fields.some((f) => f.startsWith('nw_dst='));
  const at = [...new Set(fields.filter((f) => f !== 'ip').concat(ip ? ['ip'] : []))].sort().join(',');
  return { at, actions: actions.toUpperCase() === 'NORMAL' ? 'NORMAL' : actions };
}

describe("DVR's flows, as the book prints them", () => {
  const book = bookFlows();
  const onCn1 = rendered('compute1', 'br-tun').map(key);
  const onCn2 = rendered('compute2', 'br-int').map(key);

  it('reads all ten of the book’s rules (it prints one twice)', () => {
    expect(book).toHaveLength(10);
  });

  it("renders each book rule for br-tun on compute1, ARP's priority as Juno's agent writes it (3, not the design's 4)", () => {
    const tunnel = book.filter(
      (f) =>
        !f.includes('port-vm2') &&
        !f.includes('in_port=patch-tun') &&
        !f.includes('NORMAL') &&
        !/priority=1actions/.test(f.replace(/\s/g, '')),
    );
    expect(tunnel).toHaveLength(6);
    for (const flow of tunnel) {
      const want = key(fill(flow, node('compute1')).replace('priority=4,', 'priority=3,'));
      expect(onCn1, flow).toContainEqual(want);
    }
  });

  it("renders the book's br-int rules on compute2: the DVR MAC to table 1, the gateway MAC given back, the defaults", () => {
    const integration = book.filter((f) => !book.slice(0, 6).includes(f));
    expect(integration).toHaveLength(4);
    // The book's table 1 default is br-int's (DVR_TO_LOCALMAC); it prints br-tun's priority-1 rules under the same number.
    for (const flow of integration) expect(onCn2, flow).toContainEqual(key(fill(flow, node('compute2'))));
  });

  it('also writes, on each host, the per-VM rule Juno adds ahead of the subnet rule (priority 4)', () => {
    expect(onCn2).toContainEqual(
      key(
        `table=1,priority=4,dl_vlan=${node('compute2').localVlans.get('green')},dl_dst=fa:16:3e:22:00:03,actions=strip_vlan,mod_dl_src:${green.mac},output:${deviceName('qvo', model.ports.find((p) => p.name === 'vm2')?.portId ?? '')}`,
      ),
    );
  });
});

describe('l2population on br-tun', () => {
  const flows = rendered('compute1', 'br-tun');
  const green = node('compute1').localVlans.get('green');

  it("sends each remote port's MAC straight to its host's tunnel: vm2 to compute2, the SNAT port to the network node", () => {
    expect(flows).toContain(
      `table=20,priority=2,dl_vlan=${green},dl_dst=fa:16:3e:22:00:03,actions=strip_vlan,set_tunnel:0x3ea,output:vxlan-0a00640c`,
    );
    expect(flows).toContain(
      `table=20,priority=2,dl_vlan=${green},dl_dst=fa:16:3e:bb:00:02,actions=strip_vlan,set_tunnel:0x3ea,output:vxlan-0a00640a`,
    );
  });

  it("announces no port of its own host, and no distributed router's qr- port (every host has one)", () => {
    const announced = flows.filter((f) => f.startsWith('table=20,priority=2,')).map((f) => /dl_dst=([^,]+)/.exec(f)?.[1]);
    expect(announced).not.toContain('fa:16:3e:11:00:03');
    expect(announced).not.toContain(green === undefined ? '' : 'fa:16:3e:bb:00:01');
    expect(announced.sort()).toEqual(['fa:16:3e:22:00:03', 'fa:16:3e:aa:00:02', 'fa:16:3e:bb:00:02']);
  });

  it('sends what arrives by tunnel to table 9 first, where other hosts’ DVR MACs go to br-int unlearned', () => {
    expect(flows).toContain('table=4,priority=1,tun_id=0x3ea,actions=mod_vlan_vid:2,resubmit(,9)');
    expect(flows).toContain('table=9,priority=1,dl_src=fa:16:3f:00:00:12,actions=output:patch-int');
    expect(flows).toContain('table=9,priority=0,actions=resubmit(,10)');
    expect(flows).not.toContain('table=9,priority=1,dl_src=fa:16:3f:00:00:11,actions=output:patch-int');
  });
});
