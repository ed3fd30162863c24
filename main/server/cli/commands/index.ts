import type { Command } from 'commander';

/**
 * Every command module, with the top-level commands it registers, in the order help lists
 * them. Each is imported only when one of its commands runs (or help lists them all), so a
 * command loads what it needs and no more: `labs` never loads dockerode's SSH stack, `--version`
 * loads no command at all. A new command module gets one line here (index.test.ts checks that
 * each line names exactly what its module registers, and that no module is missing).
 */
export interface CommandModule {
  file: string;
  commands: readonly string[];
  load(): Promise<(program: Command) => void>;
}

export const COMMAND_MODULES: readonly CommandModule[] = [
  { file: 'doctor', commands: ['doctor'], load: async () => (await import('./doctor')).registerDoctor },
  { file: 'image', commands: ['image'], load: async () => (await import('./image')).registerImage },
  { file: 'labs', commands: ['labs'], load: async () => (await import('./labs')).registerLabs },
  { file: 'session', commands: ['up', 'status', 'down'], load: async () => (await import('./session')).registerSession },
  { file: 'lab', commands: ['lint', 'check', 'solve', 'reset', 'hint', 'progress'], load: async () => (await import('./lab')).registerLab },
  { file: 'exec', commands: ['exec', 'shell'], load: async () => (await import('./exec')).registerExec },
  { file: 'inspect', commands: ['parse', 'snapshot', 'trace'], load: async () => (await import('./inspect')).registerInspect },
  { file: 'capture', commands: ['capture', 'follow', 'walk'], load: async () => (await import('./capture')).registerCapture },
  { file: 'explore', commands: ['neutron', 'openstack'], load: async () => (await import('./explore')).registerExplore },
  { file: 'ovs', commands: ['ovs'], load: async () => (await import('./ovs')).registerOvs },
  { file: 'serve', commands: ['serve', 'start'], load: async () => (await import('./serve')).registerServe },
  { file: 'workshop', commands: ['workshop'], load: async () => (await import('./workshop')).registerWorkshop },
  { file: 'schema', commands: ['schema'], load: async () => (await import('./schema')).registerSchema },
];

/** Global options that take a value: the word after them is that value, not a command. */
const VALUED_GLOBALS = new Set(['--docker-host']);

/**
 * The modules a command line needs: the one that registers its command; none for a bare
 * `--version`; all of them for help, a bare `neutron-lab` and an unknown command (so commander
 * lists them, or suggests the nearest).
 */
export function modulesFor(argv: readonly string[]): readonly CommandModule[] {
  let word: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (VALUED_GLOBALS.has(arg)) i++;
    else if (!arg.startsWith('-')) {
      word = arg;
      break;
    }
  }
  if (word === undefined) {
    const help = argv.includes('-h') || argv.includes('--help');
    const version = argv.includes('-V') || argv.includes('--version');
    return version && !help ? [] : COMMAND_MODULES;
  }
  const owner = COMMAND_MODULES.find((module) => module.commands.includes(word));
  return owner ? [owner] : COMMAND_MODULES;
}
