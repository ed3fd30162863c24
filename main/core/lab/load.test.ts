import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { MAX_NODES } from '../topology/validate';
import { decodeUtf8, lintLab, loadLabFile, formatPath, parseLab } from './load';

const GOOD = `id: two-nodes
title: { en: Two nodes, zh: 两个节点 }
summary: { en: A test lab., zh: 测试实验。 }
topology:
  networks:
    data: { kind: data, subnet: 10.0.0.0/24 }
  nodes:
    network:
      role: network
      links:
        - { network: data, interface: eth1, address: 10.0.0.100/24 }
    compute1:
      role: compute
      links:
        - { network: data, interface: eth1, address: 10.0.0.101/24 }
`;

/** The first problem of a broken lab, as `line:column message`. */
function firstProblem(text: string) {
  const { problems } = lintLab(text, 'lab.yaml');
  const problem = problems.find((p) => p.severity === 'error');
  if (!problem) throw new Error('expected a problem');
  return problem;
}

describe('parseLab', () => {
  it('reads a valid lab and fills defaults', () => {
    const { lab, warnings } = parseLab(GOOD, 'lab.yaml');
    expect(lab.topology.nodes.network?.links[0]).toEqual({ network: 'data', interface: 'eth1', address: '10.0.0.100/24' });
    expect(warnings).toEqual([]);
    const minimal = parseLab('id: one\ntitle: t\nsummary: s\ntopology:\n  nodes:\n    n1: { role: compute }\n', 'x.yaml');
    expect(minimal.lab.topology.networks).toEqual({});
    expect(minimal.lab.topology.nodes.n1?.links).toEqual([]);
  });

  it('throws one input error that names file, line and column, listing every problem', () => {
    const broken = GOOD.replace('role: network', 'role: router').replace(
      'network: data, interface: eth1, address: 10.0.0.101/24',
      'network: dta, interface: eth1, address: 10.0.0.101/24',
    );
    let error: AppError | undefined;
    try {
      parseLab(broken, 'labs/x/lab.yaml');
    } catch (e) {
      error = e as AppError;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error?.code).toBe('input');
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toMatch(/^labs\/x\/lab\.yaml:9:13: topology\.nodes\.network\.role: Invalid option/);
    expect(error?.location).toMatchObject({ file: 'labs/x/lab.yaml', line: 9, column: 13 });
  });
});

describe('lintLab locates every kind of problem', () => {
  it('YAML syntax errors', () => {
    const problem = firstProblem('id: x\ntitle: [unclosed\nsummary: s\n');
    expect(problem.message).toMatch(/^YAML: /);
    expect(problem.location.line).toBeGreaterThanOrEqual(2);
  });

  it('duplicate keys', () => {
    const problem = firstProblem('id: x\nid: y\n');
    expect(problem.message).toMatch(/unique/);
    expect(problem.location.line).toBe(2);
  });

  it('unknown fields, at the key itself', () => {
    const problem = firstProblem(GOOD.replace('      role: compute', '      role: compute\n      colour: red'));
    expect(problem.message).toBe('unknown field "colour" in topology.nodes.compute1');
    expect(problem.location).toMatchObject({ line: 14, column: 7, field: 'topology.nodes.compute1.colour' });
  });

  it('missing required fields, at the object that lacks them', () => {
    const problem = firstProblem(GOOD.replace('summary: { en: A test lab., zh: 测试实验。 }\n', ''));
    expect(problem.message).toBe('missing required field "summary"');
    expect(problem.location.line).toBe(1);
  });

  it('bad values, at the value', () => {
    const problem = firstProblem(GOOD.replace('10.0.0.100/24', '10.0.0.300/24'));
    expect(problem.message).toMatch(/not an IPv4 address with a prefix/);
    expect(problem.location).toMatchObject({ line: 11, field: 'topology.nodes.network.links[0].address' });
  });

  it('references to networks that do not exist', () => {
    const problem = firstProblem(
      GOOD.replace(
        '- { network: data, interface: eth1, address: 10.0.0.101/24 }',
        '- { network: dta, interface: eth1, address: 10.0.0.101/24 }',
      ),
    );
    expect(problem.message).toBe('node "compute1" joins network "dta", which topology.networks does not declare (declared: data)');
    expect(problem.location).toMatchObject({ line: 15, column: 22, field: 'topology.nodes.compute1.links[0].network' });
  });

  it('addresses used twice or outside their network', () => {
    expect(firstProblem(GOOD.replace('10.0.0.101/24', '10.0.0.100/24')).message).toBe(
      'address 10.0.0.100 on network "data" is already used by node "network"',
    );
    expect(firstProblem(GOOD.replace('10.0.0.101/24', '10.0.1.101/24')).message).toBe(
      'address 10.0.1.101/24 is outside network "data" (10.0.0.0/24)',
    );
  });

  it('interfaces named twice, and gateways off the link', () => {
    const twice = GOOD.replace(
      '        - { network: data, interface: eth1, address: 10.0.0.100/24 }',
      '        - { network: data, interface: eth1, address: 10.0.0.100/24 }\n        - { network: ext, interface: eth1 }',
    ).replace(
      '    data: { kind: data, subnet: 10.0.0.0/24 }',
      '    data: { kind: data, subnet: 10.0.0.0/24 }\n    ext: { kind: external }',
    );
    expect(firstProblem(twice).message).toBe('node "network" already has an interface named "eth1"');
    const gateway = GOOD.replace('address: 10.0.0.100/24 }', 'address: 10.0.0.100/24, gateway: 192.168.1.1 }');
    expect(firstProblem(gateway).message).toBe('gateway 192.168.1.1 is not in 10.0.0.100/24');
  });

  it('warns, without failing, about networks nobody joins', () => {
    const text = GOOD.replace(
      '    data: { kind: data, subnet: 10.0.0.0/24 }',
      '    data: { kind: data, subnet: 10.0.0.0/24 }\n    spare: { kind: management }',
    );
    const { lab, problems } = lintLab(text, 'lab.yaml');
    expect(lab).toBeDefined();
    expect(problems).toEqual([
      expect.objectContaining({ severity: 'warning', message: 'network "spare" is declared but no node joins it' }),
    ]);
  });

  it('an empty file', () => {
    expect(firstProblem('').message).toBe('missing required field "id"');
  });
});

describe('formatPath', () => {
  it('writes paths the way people read them', () => {
    expect(formatPath(['topology', 'nodes', 'c1', 'links', 0, 'network'])).toBe('topology.nodes.c1.links[0].network');
  });
});

describe('hostile and oversized lab files', () => {
  it('refuses a YAML alias bomb as an input problem at its first alias, not an internal error', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      laughs.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const bomb = `${laughs.join('\n')}\n`;
    const problem = firstProblem(bomb);
    expect(problem.message).toMatch(/^YAML: .*alias/i);
    expect(problem.location).toMatchObject({ file: 'lab.yaml', line: 2 });
    expect(() => parseLab(bomb, 'lab.yaml')).toThrow(AppError);
    try {
      parseLab(bomb, 'lab.yaml');
    } catch (error) {
      expect((error as AppError).code).toBe('input');
      expect((error as AppError).message).toMatch(/^lab\.yaml:2:\d+: YAML/);
    }
  });

  it('refuses a file that is not UTF-8, naming the line', async () => {
    const latin1 = Buffer.concat([Buffer.from(GOOD.replace('A test lab.', 'Un essai')), Buffer.from('# caf\xe9\n', 'latin1')]);
    expect(() => decodeUtf8(latin1, 'lab.yaml')).toThrow(/^lab\.yaml:\d+: the lab file is not UTF-8/);
    const dir = mkdtempSync(join(tmpdir(), 'nl-latin1-'));
    writeFileSync(join(dir, 'lab.yaml'), latin1);
    await expect(loadLabFile(join(dir, 'lab.yaml'))).rejects.toMatchObject({ code: 'input', location: { line: GOOD.split('\n').length } });
    expect(decodeUtf8(Buffer.from(GOOD), 'lab.yaml')).toBe(GOOD);
  });

  it('flags networks whose subnets overlap', () => {
    const text = GOOD.replace(
      '    data: { kind: data, subnet: 10.0.0.0/24 }',
      '    data: { kind: data, subnet: 10.0.0.0/24 }\n    wide: { kind: management, subnet: 10.0.0.0/16 }',
    );
    const problem = firstProblem(text);
    expect(problem.message).toBe('subnet 10.0.0.0/16 of network "wide" overlaps 10.0.0.0/24 of network "data"');
    expect(problem.location).toMatchObject({ line: 7, field: 'topology.networks.wide.subnet' });
    const apart = GOOD.replace(
      '    data: { kind: data, subnet: 10.0.0.0/24 }',
      '    data: { kind: data, subnet: 10.0.0.0/24 }\n    other: { kind: management, subnet: 10.0.1.0/24 }',
    );
    expect(lintLab(apart, 'lab.yaml').problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it(`caps a lab at ${MAX_NODES} nodes`, () => {
    const nodes = (n: number) => Array.from({ length: n }, (_, i) => `    n${i}:\n      role: compute\n`).join('');
    const lab = (n: number) => `id: many\ntitle: t\nsummary: s\ntopology:\n  nodes:\n${nodes(n)}`;
    expect(lintLab(lab(MAX_NODES), 'lab.yaml').problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(firstProblem(lab(200))).toMatchObject({
      message: `a lab has at most ${MAX_NODES} nodes; this one has 200`,
      location: { field: 'topology.nodes' },
    });
  });
});
