import type { Command } from 'commander';
import type { Engine } from '../../core/docker/engine';
import type { OutputMode } from './output';

/**
 * What every command gets: its output mode, and the engine, connected on first use. The engine
 * module (dockerode, and through it ssh2) is imported then too: commands that never touch the
 * engine, like `labs` and `lint`, start without it.
 */
export interface CommandContext extends OutputMode {
  engine(): Promise<Engine>;
}

export function contextFor(command: Command): CommandContext {
  const options = command.optsWithGlobals<{ json?: boolean; dockerHost?: string }>();
  let engine: Promise<Engine> | undefined;
  return {
    json: options.json ?? false,
    engine: () =>
      (engine ??= import('../../core/docker/engine').then(({ connectEngine }) => connectEngine({ endpoint: options.dockerHost }))),
  };
}
