import { describe, expect, it } from 'vitest';
import { commandArgv } from './command-line';

describe('commandArgv', () => {
  it('splits on blanks, keeps quoted blanks and empty quotes, and drops a leading openstack', () => {
    expect(commandArgv('openstack  network create  net1 -f json')).toEqual(['network', 'create', 'net1', '-f', 'json']);
    expect(commandArgv(`server create --description "my vm" 'a b' ''`)).toEqual(['server', 'create', '--description', 'my vm', 'a b', '']);
    expect(commandArgv('x "say \\"hi\\"" a\\ b')).toEqual(['x', 'say "hi"', 'a b']);
    expect(commandArgv('   ')).toEqual([]);
  });

  it('refuses an unclosed quote', () => {
    expect(() => commandArgv('network create "net1')).toThrow('unclosed " quote');
  });
});
