import type { Command } from 'commander';
import { execArgv, inNamespace, openTty } from '../../../core/docker/exec';
import { AppError } from '../../../core/errors';
import { serveExploreApi } from '../../../core/run/explore-api';
import { requireNode } from '../../../core/session/sessions';
import { contextFor } from '../context';
import { printJson } from '../output';

/** exec and shell: run commands inside a node, or inside a network namespace of a node. */

export function registerExec(program: Command): void {
  program
    .command('exec')
    .description("run a command in a node (exits with the command's exit code)")
    .argument('<lab>', 'session name (the lab id unless started with --name)')
    .argument('<node>', 'node name')
    .argument('<command...>', 'the command and its arguments; put -- before it when it has options')
    .option('--netns <ns>', 'run inside this network namespace of the node')
    .option('--json', 'print exit code, stdout and stderr as JSON instead of streaming them')
    .action(async (lab: string, node: string, argv: string[], options: { netns?: string }, command: Command) => {
      const ctx = contextFor(command);
      const container = await requireNode(await ctx.engine(), lab, node);
      const full = inNamespace(argv, options.netns);
      // Piped input goes to the command (`… | neutron-lab exec LAB NODE -- iptables-restore`).
      const stdin = process.stdin.isTTY ? undefined : await readAll(process.stdin);
      const input = stdin && stdin.length > 0 ? { stdin } : {};
      if (ctx.json) {
        const result = await execArgv(container, full, input);
        printJson(result);
        process.exitCode = result.exitCode;
        return;
      }
      const result = await execArgv(container, full, {
        ...input,
        onStdout: (chunk) => process.stdout.write(chunk),
        onStderr: (chunk) => process.stderr.write(chunk),
        keepStdout: false,
        // Streamed to the user, who sees it run and can stop it (tcpdump, ping): no time bound.
        timeoutMs: Infinity,
      });
      process.exitCode = result.exitCode;
    });

  program
    .command('shell')
    .description('open an interactive shell in a node (or in one of its network namespaces)')
    .argument('<lab>', 'session name')
    .argument('<node>', 'node name')
    .option('--netns <ns>', 'open the shell inside this network namespace')
    .action(async (lab: string, node: string, options: { netns?: string }, command: Command) => {
      const ctx = contextFor(command);
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new AppError('usage', 'shell needs an interactive terminal.', {
          hint: `Use \`neutron-lab exec ${lab} ${node} -- CMD\` from scripts.`,
        });
      }
      const engine = await ctx.engine();
      const container = await requireNode(engine, lab, node);
      // A sandbox's controller: this shell's `openstack` and `neutron` are served from here while it runs.
      const api = options.netns ? undefined : await serveExploreApi(engine, lab, node).catch(() => undefined);
      const tty = await openTty(container, inNamespace(['bash', '-l'], options.netns), {
        cols: process.stdout.columns,
        rows: process.stdout.rows,
        // Debian's bash prompt shows this in parentheses: "(qdhcp-…)root@network:/#".
        ...(options.netns ? { env: { debian_chroot: options.netns } } : {}),
      });
      const onResize = () => void tty.resize(process.stdout.columns, process.stdout.rows).catch(() => undefined);
      process.stdout.on('resize', onResize);
      process.stdin.setRawMode(true);
      process.stdin.pipe(tty.stream);
      tty.stream.pipe(process.stdout);
      try {
        process.exitCode = await tty.exited;
      } finally {
        process.stdout.off('resize', onResize);
        process.stdin.unpipe(tty.stream);
        process.stdin.setRawMode(false);
        process.stdin.pause();
        api?.close();
      }
    });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
