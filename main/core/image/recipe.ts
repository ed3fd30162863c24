import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeImageRecipeDir } from '../paths';

/**
 * The node image recipe: the files in resources/node-image/. The image tag is a hash of them,
 * so an image is rebuilt exactly when its recipe changes, whichever builder made it.
 */

export const IMAGE_REPOSITORY = 'neutron-lab/node';
export const DEBIAN_SUITE = 'bookworm';
export const RECIPE_FILES = [
  'packages.txt',
  'setup.sh',
  'nl-init',
  'nl-snapshot',
  'nl-apply',
  'nl-underlay',
  'nl-reset',
  'nl-dhclient-script',
  'nl-prints',
  'nl-sysctl',
  'nl-easyovs-log',
  'nl-openstack',
  'Dockerfile',
] as const;

export interface Recipe {
  dir: string;
  packages: string[];
  /** sha256 of the suite and every recipe file. */
  hash: string;
  /** `neutron-lab/node:<first 12 hex digits of the hash>`. */
  tag: string;
}

export function readRecipe(dir: string = nodeImageRecipeDir()): Recipe {
  const hash = createHash('sha256').update(`${DEBIAN_SUITE}\n`);
  const contents: Record<string, string> = {};
  for (const name of RECIPE_FILES) {
    const text = readFileSync(join(dir, name), 'utf8');
    contents[name] = text;
    hash.update(`${name}\0${text}\0`);
  }
  const digest = hash.digest('hex');
  return {
    dir,
    packages: parsePackageList(contents['packages.txt'] ?? ''),
    hash: digest,
    tag: `${IMAGE_REPOSITORY}:${digest.slice(0, 12)}`,
  };
}

/** One package per line; `#` starts a comment line; blank lines are ignored. */
export function parsePackageList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
