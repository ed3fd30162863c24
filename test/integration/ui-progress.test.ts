import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyProgress } from '../../main/core/run/progress-store';
import { launchChromium, serveUi } from './helpers';

/**
 * The home screen in real Chromium over a data folder with damaged and solved-for-you progress:
 * the damage is said in a banner (not a silent 0), and the card counts what solve built as such,
 * and a troubleshooting lab's faults met.
 */

const data = mkdtempSync(join(tmpdir(), 'nl-ui-progress-'));
const progressDir = join(data, 'progress');
let server: ChildProcess;
let url: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(progressDir, { recursive: true });
  writeFileSync(join(progressDir, 'ovs-basics.json'), '{"version": 1, "lab": "ovs-ba');
  const solved = {
    ...emptyProgress('gre-tenant'),
    objectives: { 'table-0': { metAt: 'x' } },
    solved: { 'table-1': { solvedAt: 'y' }, 'table-2': { solvedAt: 'y' } },
  };
  writeFileSync(join(progressDir, 'gre-tenant.json'), JSON.stringify(solved));
  const faults = {
    ...emptyProgress('troubleshoot-l3'),
    faults: { 'dnsmasq-dead': { repairedAt: 'x' }, 'snat-missing': { solvedAt: 'y' } },
  };
  writeFileSync(join(progressDir, 'troubleshoot-l3.json'), JSON.stringify(faults));
  ({ child: server, url } = await serveUi({ env: { NEUTRON_LAB_DATA: data } }));
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

describe('progress on the home screen', () => {
  it('a damaged progress file is announced in a banner, and solved-for-you objectives are counted as such', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const notice = page.locator('[data-test=progress-notice][data-lab=ovs-basics]');
    await expect.poll(() => notice.count(), { timeout: 30_000 }).toBe(1);
    expect(await notice.textContent()).toMatch(
      /Your progress could not be read and starts afresh\. The progress file of ovs-basics could not be used: it is not JSON/,
    );
    expect(readdirSync(progressDir).filter((f) => f.startsWith('ovs-basics.json.corrupt-'))).toHaveLength(1);
    const card = page.locator('[data-test=lab-card][data-lab=gre-tenant] [data-test=lab-progress]');
    expect((await card.textContent())?.trim()).toBe('3/9 objectives (2 solved for you)');
    // Troubleshooting labs say so on their card; guided ones do not.
    const badge = (lab: string) => page.locator(`[data-test=lab-card][data-lab=${lab}] [data-test=troubleshooting]`);
    expect(await badge('troubleshoot-l2').textContent()).toBe('Troubleshooting: find the fault');
    expect(await badge('gre-tenant').count()).toBe(0);
    // And count the faults met so far, each reset drawing another.
    const faultsMet = (lab: string) => page.locator(`[data-test=lab-card][data-lab=${lab}] [data-test=lab-faults]`);
    expect((await faultsMet('troubleshoot-l3').textContent())?.trim()).toBe('2/7 faults met');
    expect((await faultsMet('troubleshoot-l2').textContent())?.trim()).toBe('0/5 faults met');
    expect(await faultsMet('gre-tenant').count()).toBe(0);
    // Reloading repeats the notice (this server set the file aside) and moves nothing more.
    await page.reload();
    await expect.poll(() => notice.count(), { timeout: 30_000 }).toBe(1);
    expect(readdirSync(progressDir).filter((f) => f.startsWith('ovs-basics.json.corrupt-'))).toHaveLength(1);
    await page.close();
  });
});
