import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLab } from '../../main/core/lab/catalog';
import { appRoot, labsDir } from '../../main/core/paths';
import { startLab } from '../../main/core/run';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { launchChromium, serveUi, testEngine, uniqueName } from './helpers';

/**
 * Explore in real Chromium: the sandbox's card says what it is; its workspace opens on the
 * OpenStack CLI's command box; a network, a subnet and a server created there show what each
 * node's agents built, the VM's namespace gets its terminal tab, and a bad call answers as the
 * client does.
 */

const RESULTS = join(appRoot(), 'test-results');
const session = uniqueName('ui-explore');
let server: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
let labs: string;

beforeAll(async () => {
  await startLab(await testEngine(), await resolveLab('explore'), { name: session });
  // A labs folder of its own, with the sandbox in it: the lab saved from it goes there.
  labs = mkdtempSync(join(tmpdir(), 'nl-ui-explore-labs-'));
  cpSync(join(labsDir(), 'explore'), join(labs, 'explore'), { recursive: true });
  ({ child: server, url } = await serveUi({
    env: { NEUTRON_LAB_DATA: mkdtempSync(join(tmpdir(), 'nl-ui-explore-')) },
    serveArgs: ['--labs', labs],
  }));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await removeSessionsNamed(await testEngine(), session);
});

describe('Explore in a browser', () => {
  it('shows the sandbox in the catalogue as a place to explore, without objectives to count', async () => {
    await page.goto(url);
    const card = page.locator('[data-test=lab-card][data-lab="explore"]');
    await card.waitFor();
    expect(await card.locator('[data-test=sandbox]').count()).toBe(1);
    expect(await card.locator('[data-test=lab-progress]').count()).toBe(0);
  });

  it('runs openstack calls from the command box and shows what each agent built', async () => {
    await page.goto(`${url}#/lab/${session}`);
    const box = page.locator('[data-test=explore]');
    await box.waitFor({ timeout: 30_000 });
    // The guide's chapters beside it; nothing to check or solve, only to reset.
    await page.locator('[data-test=guide][data-step=server]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-test=solve-all]').count()).toBe(0);
    expect(await page.locator('[data-test=objective]').count()).toBe(0);
    expect(await page.locator('[data-test=reset]').count()).toBe(1);
    const run = async (line: string) => {
      const before = await box.locator('[data-test=explore-entry]').count();
      await box.locator('[data-test=explore-command]').fill(line);
      await box.locator('[data-test=explore-run]').click();
      // An error the call met is the answer then, shown instead of an entry.
      const outcome = async () =>
        (await box.locator('[data-test=error]').count())
          ? box.locator('[data-test=error]').textContent()
          : box.locator('[data-test=explore-entry]').count();
      await expect.poll(outcome, { timeout: 60_000 }).toBe(before + 1);
      return box.locator('[data-test=explore-entry]').first();
    };
    const net = await run('openstack network create net1');
    expect(await net.getAttribute('data-exit')).toBe('0');
    expect(await net.locator('[data-test=explore-stdout]').textContent()).toMatch(/\| provider:network_type +\| vxlan +\|/);
    await run('subnet create --network net1 --subnet-range 10.1.0.0/24 sub1');
    const vm = await run(
      'server create --image cirros --flavor m1.tiny --network net1 --availability-zone nova:compute1 vm1 -f value -c addresses',
    );
    expect(await vm.locator('[data-test=explore-stdout]').textContent()).toBe('net1=10.1.0.3\n');
    const compute1 = vm.locator('[data-test=explore-agent][data-node=compute1]');
    expect(await compute1.textContent()).toContain('built vm/vm1, security-group/vm1');
    // And, opened, what changed in compute1 itself: the VM's namespace, its qvo port on br-int.
    await compute1.locator('[data-test=explore-node-changes] summary').click();
    const changed = await compute1.locator('[data-test=explore-node-change][data-kind=added]').allTextContents();
    expect(changed).toContainEqual(expect.stringMatching(/^\+ namespace vm1: vm1$/));
    expect(changed).toContainEqual(expect.stringMatching(/^\+ port br-int: qvo/));
    // The VM's namespace has its terminal now, and there is a VM to follow a packet from.
    await expect
      .poll(() => page.locator('[data-test=terminal-tab][data-node=compute1][data-namespace=vm1]').count(), { timeout: 30_000 })
      .toBe(1);
    expect(await page.locator('[data-test=tool-tab][data-tool=follow]').count()).toBe(1);

    const bad = await run('network create --provider-network-type ether x');
    expect(await bad.getAttribute('data-exit')).toBe('2');
    expect(await bad.locator('[data-test=explore-stderr]').textContent()).toContain("invalid choice: 'ether'");
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'ui-explore.png') });
  }, 180_000);

  it('runs the same client in the controller’s own terminal', async () => {
    await page.locator('[data-test=terminal-tab][data-node=controller][data-namespace=""]').click();
    const slot = page.locator('[data-test=terminal-slot][data-node=controller][data-namespace=""]');
    const terminal = slot.locator('[data-test=terminal]');
    await terminal.waitFor({ state: 'visible' });
    await terminal.click();
    // The subnet made from the command box, listed by the terminal's own `openstack`.
    await page.keyboard.type('openstack subnet list -f value -c Subnet\n');
    await expect.poll(async () => slot.locator('.xterm-rows').textContent(), { timeout: 30_000 }).toContain('10.1.0.0/24');
    // And the Explore panel beside it lists the call, as typed there.
    await page.locator('[data-test=tool-tab][data-tool=explore]').click();
    const entry = page.locator('[data-test=explore-entry][data-source=terminal]').first();
    await entry.waitFor({ timeout: 30_000 });
    expect(await entry.locator('header code').textContent()).toBe('$ openstack subnet list -f value -c Subnet');
    expect(await entry.locator('[data-test=explore-stdout]').textContent()).toBe('10.1.0.0/24\n');
  }, 60_000);

  it('saves the cloud as a new lab, which opens in the editor and lints clean', async () => {
    await page.locator('[data-test=explore-save-id]').fill('my-cloud');
    await page.locator('[data-test=explore-save]').click();
    const editor = page.locator('[data-test=lab-editor][data-lab="my-cloud"]');
    await editor.waitFor({ timeout: 30_000 });
    const summary = page.locator('[data-test=lint-summary]');
    await expect.poll(() => summary.getAttribute('data-errors'), { timeout: 30_000 }).toBe('0');
    // The file holds the cloud the calls built.
    expect(readFileSync(join(labs, 'my-cloud', 'lab.yaml'), 'utf8')).toMatch(/vms:\n +vm1:\n +node: compute1/);
    // The same id again is refused, saying why.
    await page.goBack();
    await page.locator('[data-test=explore-save-id]').fill('my-cloud');
    await page.locator('[data-test=explore-save]').click();
    await expect
      .poll(() => page.locator('[data-test=explore] [data-test=error]').textContent(), { timeout: 30_000 })
      .toContain('exists already');
  }, 120_000);
});
