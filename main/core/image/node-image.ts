import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Engine } from '../docker/engine';
import { LABEL } from '../docker/labels';
import { AppError } from '../errors';
import { withHostLock } from '../host-lock';
import { userCacheDir } from '../paths';
import type { ProgressListener } from '../progress';
import { baseImageAvailable, buildWithDockerfile } from './dockerfile-builder';
import { followEngineStream } from './engine-stream';
import type { BuilderKind } from './image-config';
import { buildOffline, offlineBuilderUnavailable } from './offline-builder';
import { IMAGE_REPOSITORY, readRecipe, type Recipe } from './recipe';

/** The node image every lab container runs: status, build, export and import. */

export interface ImageSummary {
  tag: string;
  id: string;
  sizeBytes: number;
  created: string;
  builder: string | undefined;
}

export interface ImageStatus {
  /** The tag this version of Neutron Lab needs. */
  tag: string;
  recipeHash: string;
  present: boolean;
  image: ImageSummary | undefined;
  /** Node images of other recipes (older versions); `image prune` removes them. */
  stale: ImageSummary[];
}

export async function imageStatus(engine: Engine, recipe: Recipe = readRecipe()): Promise<ImageStatus> {
  const images = await engine.call('listing node images', (abortSignal) =>
    engine.docker.listImages({ filters: { label: [LABEL.recipe] }, abortSignal }),
  );
  const summaries = images.flatMap((image): ImageSummary[] =>
    (image.RepoTags ?? [])
      // The decoder image is made from a node image and carries the recipe label too.
      .filter((tag) => tag.startsWith(`${IMAGE_REPOSITORY}:`))
      .map((tag) => ({
        tag,
        id: image.Id,
        sizeBytes: image.Size,
        created: new Date(image.Created * 1000).toISOString(),
        builder: image.Labels?.[LABEL.builder],
      })),
  );
  const image = summaries.find((s) => s.tag === recipe.tag);
  return {
    tag: recipe.tag,
    recipeHash: recipe.hash,
    present: image !== undefined,
    image,
    stale: summaries.filter((s) => s.tag !== recipe.tag),
  };
}

/** The tag to run nodes from; a clear environment error when it has not been built yet. */
export async function requireImage(engine: Engine, recipe: Recipe = readRecipe()): Promise<string> {
  try {
    await engine.call('looking for the node image', () => engine.docker.getImage(recipe.tag).inspect());
    return recipe.tag;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    throw new AppError('environment', `The node image ${recipe.tag} is not on the Docker engine yet.`, {
      hint: 'Build it with `neutron-lab image build` (about a minute), or load one with `neutron-lab image import FILE`.',
    });
  }
}

export type BuilderChoice = BuilderKind | 'auto';

export interface BuildOptions {
  builder?: BuilderChoice;
  /** Build even when an image of this recipe exists. */
  force?: boolean;
  onProgress?: ProgressListener;
}

export interface BuildResult {
  tag: string;
  /** Which builder ran; undefined when the image was already there. */
  builder: BuilderKind | undefined;
  seconds: number;
}

export async function buildNodeImage(engine: Engine, options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const recipe = readRecipe();
  const elapsed = () => (performance.now() - started) / 1000;
  const upToDate = async () => {
    if (options.force || !(await imageStatus(engine, recipe)).present) return false;
    options.onProgress?.({ stage: 'done', percent: 100, message: `${recipe.tag} is up to date` });
    return true;
  };
  if (await upToDate()) return { tag: recipe.tag, builder: undefined, seconds: elapsed() };
  // One build of a recipe at a time on this machine: a second `image build` (or a test run's
  // setup beside a background build) waits for the first and then finds the image there.
  const lock = join(userCacheDir(), 'build', `${recipe.hash.slice(0, 12)}.lock`);
  const onWait = (owner: string) =>
    options.onProgress?.({ stage: 'waiting', percent: 0, message: `Waiting for the build of ${recipe.tag} that ${owner} is running` });
  return withHostLock(
    lock,
    async () => {
      if (await upToDate()) return { tag: recipe.tag, builder: undefined, seconds: elapsed() };
      const builder = await chooseBuilder(engine, options.builder ?? 'auto');
      const buildOptions = { engine, recipe, onProgress: options.onProgress };
      if (builder === 'dockerfile') await buildWithDockerfile(buildOptions);
      else await buildOffline(buildOptions);
      return { tag: recipe.tag, builder, seconds: elapsed() };
    },
    { onWait },
  );
}

async function chooseBuilder(engine: Engine, choice: BuilderChoice): Promise<BuilderKind> {
  if (choice === 'offline') return 'offline';
  if (choice === 'dockerfile') {
    if (await baseImageAvailable(engine)) return 'dockerfile';
    throw new AppError('environment', 'The Dockerfile builder needs debian:bookworm-slim, which the engine cannot pull.', {
      hint: 'Use the offline builder: neutron-lab image build --builder offline',
    });
  }
  if (await baseImageAvailable(engine)) return 'dockerfile';
  const why = offlineBuilderUnavailable();
  if (why) {
    throw new AppError('environment', `Cannot build the node image: the engine cannot pull debian:bookworm-slim and ${why}.`, {
      hint: 'Load a prebuilt image instead: neutron-lab image import FILE (made by `neutron-lab image export` elsewhere).',
    });
  }
  return 'offline';
}

/** Removes node images of other recipes. */
export async function pruneNodeImages(engine: Engine): Promise<string[]> {
  const { stale } = await imageStatus(engine);
  for (const image of stale) {
    await engine.call(`removing image ${image.tag}`, (abortSignal) => engine.docker.getImage(image.tag).remove({ abortSignal }));
  }
  return stale.map((image) => image.tag);
}

/**
 * Writes the node image to a file for machines without a network (a classroom's laptops).
 * A name ending in .gz is compressed. The file appears only once it is complete.
 */
export async function exportNodeImage(engine: Engine, file: string): Promise<{ file: string; sizeBytes: number }> {
  const tag = await requireImage(engine);
  const partial = `${file}.partial`;
  try {
    const source = (await engine.docker.getImage(tag).get()) as Readable;
    const target = createWriteStream(partial);
    if (/\.t?gz$/.test(file)) await pipeline(source, createGzip({ level: 6 }), target);
    else await pipeline(source, target);
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('failed', `Cannot export the node image to ${file}: ${(error as Error).message}`);
  }
  return { file, sizeBytes: (await stat(file)).size };
}

/** Loads a node image file made by exportNodeImage (plain or gzipped tar). */
export async function importNodeImage(engine: Engine, file: string): Promise<{ tags: string[] }> {
  try {
    await stat(file);
  } catch {
    throw new AppError('input', `No such image file: ${file}`);
  }
  let messages;
  try {
    const response = (await engine.docker.loadImage(createReadStream(file), { quiet: true })) as Readable;
    messages = await followEngineStream(engine, response);
  } catch (error) {
    throw new AppError('input', `${file} is not a Docker image archive: ${(error as Error).message}`, { cause: error });
  }
  const tags = messages.flatMap((m) => /Loaded image: (\S+)/.exec(m.stream ?? '')?.[1] ?? []);
  const recipe = readRecipe();
  if (!tags.includes(recipe.tag)) {
    throw new AppError(
      'input',
      `${file} holds ${tags.join(', ') || 'no tagged image'}, not ${recipe.tag}, the node image this version of Neutron Lab needs.`,
      { hint: 'Export the image from a machine that runs the same version (neutron-lab image export FILE).' },
    );
  }
  return { tags };
}
