import { describe, expect, it } from 'vitest';
import { followOf, splitGuide } from './markdown';

describe('guide markdown', () => {
  it('cuts top-level fenced blocks out as runnable code, and keeps output blocks unrunnable', () => {
    const segments = splitGuide('Intro **bold**\n\n```sh\novs-vsctl show\n```\n\nThen:\n\n```text\ncookie=0x0\n```\n');
    expect(segments).toEqual([
      { kind: 'html', html: '<p>Intro <strong>bold</strong></p>\n' },
      { kind: 'code', lang: 'sh', code: 'ovs-vsctl show\n', runnable: true },
      { kind: 'html', html: '<p>Then:</p>\n' },
      { kind: 'code', lang: 'text', code: 'cookie=0x0\n', runnable: false },
    ]);
  });

  it('treats a block without a language as commands', () => {
    expect(splitGuide('```\nip netns\n```')).toEqual([{ kind: 'code', lang: '', code: 'ip netns\n', runnable: true }]);
  });

  it("does not offer to run the app's own CLI inside a node", () => {
    const [block] = splitGuide('```sh\nneutron-lab shell gre-tenant compute1\nnpx neutron-lab check   # later\n```');
    expect(block).toMatchObject({ kind: 'code', runnable: false });
    expect(splitGuide('```sh\nneutron-lab check\novs-vsctl show\n```')[0]).toMatchObject({ runnable: true });
  });

  it('shows raw HTML as text and refuses javascript: links', () => {
    const [segment] = splitGuide('<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))');
    expect(segment?.kind).toBe('html');
    const html = segment?.kind === 'html' ? segment.html : '';
    expect(html).not.toMatch(/<script|<img|href="javascript/);
    expect(html).toContain('&lt;script&gt;');
  });

  it('leaves fences inside lists in the HTML, where they are shown but not run', () => {
    const segments = splitGuide('- item\n\n  ```sh\n  ls\n  ```\n');
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatchObject({ kind: 'html', html: expect.stringContaining('<code class="language-sh">ls') });
  });

  it("offers to follow in the app the packet a guide's `neutron-lab follow` command follows, and only that", () => {
    const [block] = splitGuide('```sh\nneutron-lab follow dhcp-router --from vm2 --to 9.186.100.1   # out through the router\n```');
    expect(block).toMatchObject({ kind: 'code', runnable: false, follow: { from: 'vm2', to: '9.186.100.1' } });
    expect(followOf('npx neutron-lab follow lbaas --from client --to vip --proto http --port 80')).toEqual({
      from: 'client',
      to: 'vip',
      proto: 'http',
      port: 80,
    });
    // Not one follow of a VM to a target: a plain command block.
    for (const code of [
      'neutron-lab follow gre-tenant --from vm1',
      'neutron-lab follow gre-tenant --from vm1 --to vm2 --json',
      'neutron-lab follow gre-tenant --from vm1 --to vm2 --proto udp',
      'neutron-lab follow gre-tenant --from vm1 --to vm2 --port eighty',
      'neutron-lab follow --from vm1 --to vm2',
      'neutron-lab walk gre-tenant --from vm1 --to vm2',
      'neutron-lab follow gre-tenant --from vm1 --to vm2\nneutron-lab follow gre-tenant --from vm2 --to vm1',
    ])
      expect(followOf(code), code).toBeUndefined();
    expect(splitGuide('```text\nneutron-lab follow gre-tenant --from vm1 --to vm2\n```')[0]).not.toHaveProperty('follow');
  });
});
