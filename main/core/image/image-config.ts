import { LABEL } from '../docker/labels';
import type { Recipe } from './recipe';

export type BuilderKind = 'dockerfile' | 'offline';

/** Labels every node image carries, whichever builder made it. */
export function imageLabels(recipe: Recipe, builder: BuilderKind): Record<string, string> {
  return { [LABEL.recipe]: recipe.hash, [LABEL.builder]: builder };
}

/**
 * The image configuration `docker import` cannot take from a Dockerfile: the same CMD
 * and labels the Dockerfile sets, plus the PATH a Debian base image would carry.
 */
export function imageChanges(recipe: Recipe, builder: BuilderKind): string[] {
  const labels = Object.entries(imageLabels(recipe, builder))
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["/usr/local/sbin/nl-init"]', `LABEL ${labels}`];
}
