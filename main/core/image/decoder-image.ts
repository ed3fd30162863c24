import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../docker/engine';
import { LABEL } from '../docker/labels';
import { AppError } from '../errors';
import { withHostLock } from '../host-lock';
import { decoderImageRecipeDir, userCacheDir } from '../paths';
import { requireImage } from './node-image';
import { readRecipe } from './recipe';
import { demux } from '../docker/demux';

/**
 * The packet decoder's image: the node image with tshark added, made by running the recipe's
 * setup script in a container of the node image and committing it. It needs the node image
 * and Debian's package archive, nothing else (no base image to pull, no BuildKit), and it is
 * built on first use, in about 12 seconds. Its tag hashes the node image's recipe and its own
 * script, so either changing rebuilds it.
 */

export const DECODER_REPOSITORY = 'neutron-lab/decoder';

export async function decoderImageTag(): Promise<{ tag: string; hash: string; script: string }> {
  const script = await readFile(join(decoderImageRecipeDir(), 'setup.sh'), 'utf8');
  const hash = createHash('sha256').update(`decoder\n${readRecipe().hash}\n${script}`).digest('hex');
  return { tag: `${DECODER_REPOSITORY}:${hash.slice(0, 12)}`, hash, script };
}

/** The decoder image's tag, built first when the engine lacks it. */
export async function ensureDecoderImage(engine: Engine): Promise<string> {
  const { tag, hash, script } = await decoderImageTag();
  if (await present(engine, tag)) return tag;
  // One build at a time on this machine, as for the node image.
  return withHostLock(join(userCacheDir(), 'build', `decoder-${hash.slice(0, 12)}.lock`), async () => {
    if (await present(engine, tag)) return tag;
    await build(engine, await requireImage(engine), tag, hash, script);
    return tag;
  });
}

async function present(engine: Engine, tag: string): Promise<boolean> {
  try {
    await engine.call('looking for the decoder image', () => engine.docker.getImage(tag).inspect());
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

async function build(engine: Engine, nodeImage: string, tag: string, hash: string, script: string): Promise<void> {
  const logDir = join(userCacheDir(), 'build');
  await mkdir(logDir, { recursive: true });
  const logPath = join(logDir, `decoder-${hash.slice(0, 12)}.log`);
  const container = await engine.call('creating the decoder build', () =>
    engine.docker.createContainer({ Image: nodeImage, Cmd: ['/bin/sh', '-c', script, 'nl-decoder-setup'] }),
  );
  try {
    const output = await container.attach({ stream: true, stdout: true, stderr: true });
    const log = createWriteStream(logPath);
    demux(output, (bytes) => log.write(bytes));
    await engine.call('starting the decoder build', () => container.start());
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    if (StatusCode !== 0) {
      throw new AppError('failed', `Building the packet decoder's image failed (exit ${StatusCode}).`, {
        hint: `See ${logPath}. It installs Debian's tshark package, so it needs Debian's package archive once.`,
      });
    }
    const [repo, version] = tag.split(':') as [string, string];
    const changes = [
      'CMD ["/usr/local/sbin/nl-decoder", "600"]',
      'USER 65534:65534',
      `LABEL ${LABEL.recipe}=${hash} ${LABEL.builder}=commit`,
    ];
    await engine.call('saving the decoder image', () => container.commit({ repo, tag: version, changes }));
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Removes decoder images of other recipes (before the node images they were made from). */
export async function pruneDecoderImages(engine: Engine): Promise<string[]> {
  const { tag: current } = await decoderImageTag();
  const images = await engine.call('listing decoder images', (abortSignal) =>
    engine.docker.listImages({ filters: { reference: [`${DECODER_REPOSITORY}:*`] }, abortSignal }),
  );
  const stale = images.flatMap((image) => (image.RepoTags ?? []).filter((tag) => tag !== current));
  for (const tag of stale) {
    await engine.call(`removing image ${tag}`, (abortSignal) => engine.docker.getImage(tag).remove({ abortSignal }));
  }
  return stale;
}
