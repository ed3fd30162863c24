import { z } from 'zod';
import { webServer } from '../../cloud/agents/ports';
import { inNamespace } from '../../docker/exec';
import { CommandCheck } from './command';
import { vm } from './fields';
import { HttpProbe } from './http';
import { probeKind, type Outcome, type ProbeContext } from './kind';
import { PingProbe } from './ping';
import { TcpProbe } from './tcp';

/** A service stopped while a check runs: what a failover must survive. */
export const OutageCheck = z
  .object({
    kind: z.literal('outage'),
    vm: vm.describe('The VM whose web server (cloud.vms.*.http) stops for the check.'),
    checks: z
      .array(z.lazy(() => z.discriminatedUnion('kind', [PingProbe, TcpProbe, HttpProbe, CommandCheck])))
      .min(1)
      .describe(
        'What must all hold while it is down (asked again for up to 4 s: monitors take time to notice); the server starts again after.',
      ),
  })
  .strict();

/** An outage stops what the other probes use: it runs alone. */
export const outageCheck = probeKind({
  kind: 'outage',
  schema: OutageCheck,
  order: () => 'alone',
  probe: (check, ctx) => outage(check, ctx),
});

/**
 * Stops a VM's web server, asks the check until it passes (for up to 4 s: a health monitor needs
 * a few intervals to notice), and starts the server again, whatever happened.
 */
async function outage(check: z.infer<typeof OutageCheck>, ctx: ProbeContext): Promise<Outcome> {
  const vm = ctx.vm(check.vm);
  if (vm.http === undefined) return { passed: false, expected: `${check.vm}'s web server stops`, found: `${check.vm} runs no web server` };
  const server = webServer(check.vm, vm.http);
  await ctx.run(vm.node, ['pkill', '-f', '--', server.pattern]);
  let outcomes: Outcome[];
  try {
    const deadline = Date.now() + 4000;
    do {
      outcomes = [];
      for (const inner of check.checks) outcomes.push(await ctx.probe(inner));
    } while (outcomes.some((o) => !o.passed) && Date.now() < deadline);
  } finally {
    await ctx.run(vm.node, inNamespace(server.argv, vm.namespace));
  }
  const failed = outcomes.find((o) => !o.passed);
  return {
    passed: failed === undefined,
    expected: `with ${check.vm}'s web server stopped, ${outcomes.map((o) => o.expected).join('; and ')}`,
    found: failed ? failed.found : outcomes.map((o) => o.found).join('; '),
  };
}
