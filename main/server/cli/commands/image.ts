import { Option, type Command } from 'commander';
import {
  buildNodeImage,
  exportNodeImage,
  imageStatus,
  importNodeImage,
  pruneNodeImages,
  type BuilderChoice,
} from '../../../core/image/node-image';
import { ensureDecoderImage, pruneDecoderImages } from '../../../core/image/decoder-image';
import { readRecipe } from '../../../core/image/recipe';
import { contextFor } from '../context';
import { formatBytes, info, printJson, progressReporter } from '../output';

export function registerImage(program: Command): void {
  const image = program.command('image').description('build, inspect and move the node image every lab node runs');

  image
    .command('build')
    .description('build the node image (skipped when this recipe is already built)')
    .addOption(
      new Option('--builder <kind>', 'dockerfile needs a registry; offline uses mmdebstrap')
        .choices(['auto', 'dockerfile', 'offline'])
        .default('auto'),
    )
    .option('--force', 'rebuild even when the image exists')
    .option('--decoder', "also build the packet decoder's image (the app builds it on the first decode otherwise)")
    .option('--json', 'print the result as JSON')
    .action(async (options: { builder: BuilderChoice; force?: boolean; decoder?: boolean }, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      const progress = progressReporter('image', ctx);
      let result;
      try {
        result = await buildNodeImage(engine, { builder: options.builder, force: options.force ?? false, onProgress: progress.listener });
      } finally {
        progress.stop();
      }
      const decoder = options.decoder ? await ensureDecoderImage(engine) : undefined;
      if (ctx.json) printJson({ ...result, ...(decoder ? { decoder } : {}) });
      else {
        if (result.builder === undefined) info(`${result.tag} is up to date.`);
        else info(`Built ${result.tag} with the ${result.builder} builder in ${result.seconds.toFixed(1)} s.`);
        if (decoder) info(`The packet decoder's image ${decoder} is ready.`);
      }
    });

  image
    .command('status')
    .description('is the node image this version needs present?')
    .option('--json', 'print the status as JSON')
    .action(async (_options, command: Command) => {
      const ctx = contextFor(command);
      const status = await imageStatus(await ctx.engine(), readRecipe());
      if (ctx.json) {
        printJson(status);
      } else {
        const lines = [
          status.present && status.image
            ? `${status.tag}: present, ${formatBytes(status.image.sizeBytes)}, built ${status.image.created} (${status.image.builder ?? '?'} builder)`
            : `${status.tag}: not built (run \`neutron-lab image build\`)`,
          ...status.stale.map((s) => `${s.tag}: older recipe, ${formatBytes(s.sizeBytes)} (\`neutron-lab image prune\` removes it)`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!status.present) process.exitCode = 3;
    });

  image
    .command('export')
    .description('write the node image to a file, for machines without a network')
    .argument('[file]', 'target file; .gz compresses (default: neutron-lab-node-<recipe hash>.tar.gz)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, _options, command: Command) => {
      const ctx = contextFor(command);
      // The default names the recipe: read only when exporting, not at every start of the CLI.
      const target = file ?? `neutron-lab-node-${readRecipe().hash.slice(0, 12)}.tar.gz`;
      const result = await exportNodeImage(await ctx.engine(), target);
      if (ctx.json) printJson(result);
      else info(`Wrote ${result.file} (${formatBytes(result.sizeBytes)}). Load it elsewhere with: neutron-lab image import ${result.file}`);
    });

  image
    .command('import')
    .description('load a node image file written by `image export`')
    .argument('<file>', 'image file (.tar or .tar.gz)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, _options, command: Command) => {
      const ctx = contextFor(command);
      const result = await importNodeImage(await ctx.engine(), file);
      if (ctx.json) printJson(result);
      else info(`Loaded ${result.tags.join(', ')}.`);
    });

  image
    .command('prune')
    .description('remove node and decoder images of older recipes')
    .option('--json', 'print the removed tags as JSON')
    .action(async (_options, command: Command) => {
      const ctx = contextFor(command);
      const engine = await ctx.engine();
      const removed = [...(await pruneDecoderImages(engine)), ...(await pruneNodeImages(engine))];
      if (ctx.json) printJson({ removed });
      else info(removed.length ? `Removed ${removed.join(', ')}.` : 'Nothing to remove.');
    });
}
