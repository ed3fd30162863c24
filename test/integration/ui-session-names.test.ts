import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLab } from '../../main/core/lab/catalog';
import { up } from '../../main/core/session/boot';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { launchChromium, serveUi, testEngine, uniqueName } from './helpers';

/**
 * A session under its own name, in real Chromium: the guide's commands name that session (not
 * the lab id), starting the lab again under the same name points at the Session name field, and
 * what Solve built is marked "solved for you" in the objectives and counted so on the card.
 */

const session = uniqueName('names');
let server: ChildProcess;
let url: string;
let browser: Browser;

beforeAll(async () => {
  await up(await testEngine(), await resolveLab('ovs-basics'), { name: session });
  ({ child: server, url } = await serveUi({ env: { NEUTRON_LAB_DATA: mkdtempSync(join(tmpdir(), 'nl-ui-names-')) } }));
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await removeSessionsNamed(await testEngine(), session);
});

describe('a session named by the learner', () => {
  it('the guide shows commands for that session', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}#/lab/${session}`);
    const guide = page.locator('[data-test=guide][data-step=bridge]');
    await expect.poll(() => guide.count(), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(async () => (await guide.textContent()) ?? '', { timeout: 30_000 })
      .toContain(`neutron-lab shell ${session} compute1`);
    expect(await guide.textContent()).not.toContain('neutron-lab shell ovs-basics');
    await page.close();
  });

  it('starting the lab again under that name speaks of the Session name field, not --name', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const card = page.locator('[data-test=lab-card][data-lab="ovs-basics"]');
    await card.waitFor();
    await expect.poll(() => card.locator('[data-test=start-lab]').isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.locator('[data-test=session-name]').fill(session);
    await card.locator('[data-test=start-lab]').click();
    const hint = card.locator('[data-test=error-hint]');
    await expect.poll(() => hint.count(), { timeout: 30_000 }).toBe(1);
    expect(await hint.textContent()).toContain('Session name field');
    expect(await hint.textContent()).not.toContain('--name');
    await page.close();
  });

  it('objectives built by Solve are marked "solved for you", and the card counts them so', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}#/lab/${session}`);
    const controls = page.locator('[data-test=lab-controls]');
    await expect.poll(() => page.locator('[data-test=objective]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.locator('[data-test=solve-all]').click();
    await expect.poll(() => page.locator('[data-test=notice]').count(), { timeout: 120_000 }).toBe(1);
    await page.locator('[data-test=check]').click();
    const states = () => page.locator('[data-test=objective]').evaluateAll((items) => items.map((i) => i.getAttribute('data-passed')));
    await expect.poll(async () => (await states()).every((p) => p === 'true'), { timeout: 120_000, interval: 250 }).toBe(true);
    await expect.poll(() => controls.getAttribute('data-busy'), { timeout: 30_000 }).toBe('');
    expect(await page.locator('[data-test=solved-for-you]').count()).toBe((await states()).length);
    await page.goto(url);
    const card = page.locator('[data-test=lab-card][data-lab="ovs-basics"] [data-test=lab-progress]');
    await expect.poll(async () => (await card.textContent())?.trim(), { timeout: 30_000 }).toBe('11/11 objectives (11 solved for you)');
    await page.close();
  }, 300_000);
});
