import type { Command } from 'commander';
import { exploreLab } from '../../../core/run/explore';
import { describeAgentWork } from '../../../core/run/results';
import { contextFor } from '../context';

/**
 * openstack: explore mode's client. The words after the session are python-openstackclient's
 * (`neutron-lab openstack explore network create net1 -f json`); its output and exit code are
 * the client's. What the agents did goes to standard error, so `-f json|value` stays clean for
 * scripts.
 */

export function registerExplore(program: Command): void {
  program
    .command('neutron')
    .description(
      "run a legacy neutron client verb against a lab's cloud (explore mode): net-create, subnet-create, router-interface-add, port-list …",
    )
    .argument('<lab>', 'session name (the sandbox: neutron-lab up explore)')
    .argument('<command...>', 'the neutron verb and its arguments')
    .allowUnknownOption()
    .helpOption('--help-neutron-lab', 'show this help')
    .action(async (lab: string, argv: string[], _options: unknown, command: Command) => run(command, lab, ['neutron', ...argv]));
  program
    .command('openstack')
    .description("run an OpenStack CLI command against a lab's cloud (explore mode) and see what each agent built")
    .argument('<lab>', 'session name (the sandbox: neutron-lab up explore)')
    .argument('<command...>', 'the openstack command: network|subnet|server|port create|list|show|delete …')
    .allowUnknownOption()
    .helpOption('--help-neutron-lab', 'show this help')
    .action(async (lab: string, argv: string[], _options: unknown, command: Command) => run(command, lab, argv));
}

async function run(command: Command, lab: string, argv: string[]): Promise<void> {
  const ctx = contextFor(command);
  const result = await exploreLab(await ctx.engine(), lab, argv);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr + describeAgentWork(result));
  process.exitCode = result.exitCode;
}
