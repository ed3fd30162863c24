import type { Readable } from 'node:stream';
import type { Engine } from '../docker/engine';
import type { ProgressListener } from '../progress';
import { followEngineStream } from './engine-stream';
import { imageLabels } from './image-config';
import { RECIPE_FILES, type Recipe } from './recipe';

/** The Dockerfile builder, for engines that can pull Debian's base image. */

export const BASE_IMAGE = 'debian:bookworm-slim';

/** True when the base image is present or can be pulled now (fails fast when no registry answers). */
export async function baseImageAvailable(engine: Engine): Promise<boolean> {
  try {
    await engine.call('looking for the base image', () => engine.docker.getImage(BASE_IMAGE).inspect());
    return true;
  } catch {
    // not present: try to pull it
  }
  try {
    const stream = (await engine.docker.pull(BASE_IMAGE)) as Readable;
    await followEngineStream(engine, stream);
    return true;
  } catch {
    return false;
  }
}

export async function buildWithDockerfile(options: {
  engine: Engine;
  recipe: Recipe;
  onProgress?: ProgressListener;
  /** Another source of the same Debian release (a registry mirror); defaults to BASE_IMAGE. */
  baseImage?: string;
  /** Another tag than the recipe's (tests build beside the real image). */
  tag?: string;
}): Promise<void> {
  const { engine, recipe } = options;
  const tag = options.tag ?? recipe.tag;
  const report = options.onProgress ?? (() => undefined);
  const stream = (await engine.docker.buildImage(
    { context: recipe.dir, src: [...RECIPE_FILES] },
    {
      t: tag,
      labels: imageLabels(recipe, 'dockerfile'),
      buildargs: { BASE_IMAGE: options.baseImage ?? BASE_IMAGE },
      rm: true,
      forcerm: true,
    },
  )) as Readable;
  let percent = 0;
  let stage = 'build';
  await followEngineStream(engine, stream, (message) => {
    const text = message.stream?.trim();
    if (!text) return;
    const step = /^Step (\d+)\/(\d+)/.exec(text);
    if (step) {
      percent = Math.round(((Number(step[1]) - 1) / Number(step[2])) * 95);
      stage = `step ${step[1]}/${step[2]}`;
    }
    report({ stage, percent, message: text.split('\n')[0] ?? text });
  });
  report({ stage: 'done', percent: 100, message: `Built ${tag}` });
}
