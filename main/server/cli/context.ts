import type { Command } from 'commander';
import { connectEngine, type Engine } from '../../core/docker/engine';
import type { OutputMode } from './output';

/** What every command gets: its output mode, and the engine, connected on first use. */
export interface CommandContext extends OutputMode {
  engine(): Promise<Engine>;
}

export function contextFor(command: Command): CommandContext {
  const options = command.optsWithGlobals<{ json?: boolean; dockerHost?: string }>();
  let engine: Promise<Engine> | undefined;
  return {
    json: options.json ?? false,
    engine: () => (engine ??= connectEngine({ endpoint: options.dockerHost })),
  };
}
