import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { inNamespace } from '../../docker/exec';
import { Ipv4Schema } from '../../topology/schema';
import { vm } from './fields';
import { probeKind, type Outcome, type ProbeContext } from './kind';

export const DhcpProbe = z
  .object({
    kind: z.literal('dhcp'),
    vm,
    expect: Ipv4Schema.optional().describe('The address the lease must give (default: the VM’s).'),
  })
  .strict();

/** DHCP first: a VM asks for its address before it talks. */
export const dhcpProbe = probeKind({ kind: 'dhcp', schema: DhcpProbe, order: () => 'first', probe: (check, ctx) => dhcp(check, ctx) });

/** `sh -c` script: kills the process of the pid file $1 once the file is written. */
const STOP_DAEMON = 'for i in $(seq 50); do [ -s "$1" ] && exec pkill -F "$1"; sleep 0.02; done; exit 1';

async function dhcp(check: z.infer<typeof DhcpProbe>, ctx: ProbeContext): Promise<Outcome> {
  const vm = ctx.vm(check.vm);
  const want = check.expect ?? vm.address;
  const expected = `a DHCP lease of ${want} for ${check.vm}`;
  // Ask once. A VM that takes its address by DHCP applies the lease, as it would on renewing;
  // for any other VM the probe only looks (-sf /bin/true). Files of its own per probe, so two
  // probes of one VM in a round never stop each other's client.
  const files = `/tmp/nl-probe-${check.vm}-${randomBytes(4).toString('hex')}`;
  const script = vm.dhcp ? '/usr/local/bin/nl-dhclient-script' : '/bin/true';
  const result = await ctx.run(
    vm.node,
    inNamespace(
      ['timeout', '6', 'dhclient', '-1', '-v', '-sf', script, '-lf', `${files}.leases`, '-pf', `${files}.pid`, 'eth0'],
      vm.namespace,
    ),
  );
  const bound = /bound to (\d+\.\d+\.\d+\.\d+)/.exec(`${result.stdout}\n${result.stderr}`)?.[1];
  // Stop the client it left running (dhclient -x would wait a second for it). Bound, it forked
  // into the background, and the child writes its pid file only after the parent returned: wait
  // for the file (up to a second), else a fast machine kills nothing and leaves the client.
  if (bound) await ctx.run(vm.node, ['sh', '-c', STOP_DAEMON, 'stop-dhclient', `${files}.pid`]);
  await ctx.run(vm.node, ['rm', '-f', `${files}.leases`, `${files}.pid`]);
  return { passed: bound === want, expected, found: bound ? `leased ${bound}` : 'no lease (no DHCPOFFER within 6 s)' };
}
