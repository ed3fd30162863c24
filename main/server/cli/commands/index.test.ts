import { readdirSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, modulesFor } from './index';

const filesOf = (modules: readonly { file: string }[]) => modules.map((m) => m.file);

// Loading a command module compiles its part of the core: seconds on a busy machine.
describe('the table of command modules', { timeout: 60_000 }, () => {
  it('lists every module of this folder once', () => {
    const files = readdirSync(import.meta.dirname)
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'index.ts')
      .map((name) => name.slice(0, -'.ts'.length));
    expect(filesOf(COMMAND_MODULES).sort()).toEqual(files.sort());
  });

  it.each(COMMAND_MODULES.map((m) => [m.file, m] as const))('names exactly the commands %s registers', async (_file, module) => {
    const program = new Command('neutron-lab');
    (await module.load())(program);
    expect(program.commands.map((c) => c.name())).toEqual(module.commands);
  });
});

describe('which modules a command line loads', () => {
  it('loads only the module of the command', () => {
    expect(filesOf(modulesFor(['labs', '--json']))).toEqual(['labs']);
    expect(filesOf(modulesFor(['check', 'gre-tenant']))).toEqual(['lab']);
    expect(filesOf(modulesFor(['image', 'build', '--help']))).toEqual(['image']);
  });

  it('skips the value of a global option', () => {
    expect(filesOf(modulesFor(['--docker-host', 'tcp://h:2375', 'up', 'gre-tenant']))).toEqual(['session']);
    expect(filesOf(modulesFor(['--docker-host=ssh://h', 'shell', 'lab', 'node']))).toEqual(['exec']);
  });

  it('loads nothing for a bare --version', () => {
    expect(modulesFor(['--version'])).toEqual([]);
    expect(modulesFor(['-V'])).toEqual([]);
  });

  it('loads them all for help, no command and an unknown command', () => {
    for (const argv of [[], ['--help'], ['-V', '-h'], ['help', 'up'], ['lbas'], ['--json']]) {
      expect(modulesFor(argv)).toBe(COMMAND_MODULES);
    }
  });

  it('does not take what follows -- for a command', () => {
    expect(modulesFor(['--', 'labs'])).toBe(COMMAND_MODULES);
  });
});
