import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../lab/load';
import { resolveCloud } from '../model';
import { arpReply, arpResponderFlows } from './arp-responder';

const FILE = join(import.meta.dirname, '..', '..', '..', '..', 'labs', 'arp-responder', 'lab.yaml');
const lab = parseLab(readFileSync(FILE, 'utf8'), FILE).lab;

describe('the ARP responder (Juno, with l2population)', () => {
  it("answers for each remote port l2population announced, never for the node's own", () => {
    const model = resolveCloud(lab);
    const on = (node: string) => arpResponderFlows(model, model.nodes.get(node)!);
    expect(on('compute1')).toEqual([
      'table=2,priority=1,arp,dl_dst=ff:ff:ff:ff:ff:ff,actions=resubmit(,21)',
      'table=21,priority=0,actions=resubmit(,22)',
      `table=21,priority=1,arp,dl_vlan=1,arp_tpa=10.0.0.4,actions=${arpReply('fa:16:3e:22:00:04', '10.0.0.4')}`,
    ]);
    expect(on('compute2').at(-1)).toContain('arp_tpa=10.0.0.3,');
  });

  it("writes the agent's ARP_RESPONDER_ACTIONS: the request turned into the port's reply, back in", () => {
    expect(arpReply('fa:16:3e:22:00:04', '10.0.0.4')).toBe(
      'move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:fa:16:3e:22:00:04,load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:0xfa163e220004->NXM_NX_ARP_SHA[],load:0xa000004->NXM_OF_ARP_SPA[],IN_PORT',
    );
    // An address with a high first octet stays a positive number.
    expect(arpReply('fa:16:3e:00:00:01', '192.168.0.1')).toContain('load:0xc0a80001->NXM_OF_ARP_SPA[]');
  });
});
