import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { appRoot } from '../../main/core/paths';
import { up } from '../../main/core/session/boot';
import { resolveLab } from '../../main/core/lab/catalog';
import { removeSessionsNamed } from '../../main/core/session/teardown';
import { launchChromium, runCli, serveUi, testEngine, uniqueName } from './helpers';

/**
 * The browser mode end to end: `neutron-lab serve` and real headless Chromium: the home screen
 * and the server's guards. ui-workspace.test.ts drives the lab workspace itself.
 */

let server: ChildProcess;
let url: string;
let browser: Browser;
const session = uniqueName('web');

beforeAll(async () => {
  await up(await testEngine(), await resolveLab('ovs-basics'), { name: session });
  ({ child: server, url } = await serveUi());
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await removeSessionsNamed(await testEngine(), session);
});

describe('browser mode', () => {
  it('serves the UI on 127.0.0.1, whose home screen shows the environment, the catalogue and the running lab', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(url);
    await expect.poll(() => page.locator('[data-test=environment]').textContent()).toContain('Docker engine');
    expect(await page.locator('[data-test=environment]').textContent()).toMatch(/neutron-lab\/node:[0-9a-f]{12}/);
    expect(await page.locator('[data-test=labs]').textContent()).toContain('gre-tenant');
    expect(await page.locator('[data-test=sessions]').textContent()).toContain(session);
    expect(errors, `the page reported: ${errors.join(' | ')}`).toEqual([]);
    await page.screenshot({ path: join(appRoot(), 'test-results', 'home-page.png') });
    await page.close();
  });

  it('answers the API only to its own pages', async () => {
    const port = new URL(url).port;
    const attempt = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_request, response) => resolve(String(response.statusCode)));
        ws.on('error', () => resolve('error'));
      });
    // A page from another site must not drive the Docker engine through this server.
    expect(await attempt({ Origin: 'https://evil.example' })).toBe('403');
    // Nor a page that reached us through DNS rebinding.
    expect(await attempt({ Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` })).toBe('403');
    expect(await attempt({ Origin: `http://127.0.0.1:${port}` })).toBe('open');
  });

  it('rejects malformed calls with structured errors', async () => {
    const port = new URL(url).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`);
    await new Promise((resolve) => ws.once('open', resolve));
    const replies: unknown[] = [];
    ws.on('message', (data) => replies.push(JSON.parse(data.toString())));
    ws.send(JSON.stringify({ id: 1, method: 'docker.rmAll', params: {} }));
    ws.send(JSON.stringify({ id: 2, method: 'labs.list', params: { unexpected: true } }));
    ws.send('not json');
    await expect.poll(() => replies.length).toBe(3);
    ws.close();
    expect(replies).toEqual(
      expect.arrayContaining([
        { id: 1, reply: { ok: false, error: expect.objectContaining({ code: 'usage', message: 'Unknown method "docker.rmAll".' }) } },
        { id: 2, reply: { ok: false, error: expect.objectContaining({ code: 'input' }) } },
        { id: null, reply: { ok: false, error: { code: 'usage', message: 'Messages must be JSON.' } } },
      ]),
    );
  });

  it('refuses to serve beyond loopback without a token, and then demands it', async () => {
    const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('needs --token');

    const guarded = await serveUi({ serveArgs: ['--host', '0.0.0.0', '--token', 's3cret-token'] });
    try {
      expect(guarded.url).toMatch(/\?token=s3cret-token$/);
      const port = new URL(guarded.url).port;
      const status = (token: string) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
          ws.on('open', () => {
            ws.close();
            resolve('open');
          });
          ws.on('unexpected-response', (_request, response) => resolve(String(response.statusCode)));
        });
      expect(await status('wrong')).toBe('401');
      expect(await status('s3cret-token')).toBe('open');
      const page = await browser.newPage();
      await page.goto(guarded.url.replace('0.0.0.0', '127.0.0.1'));
      await expect.poll(() => page.locator('[data-test=labs]').textContent()).toContain('ovs-basics');
      await page.close();
    } finally {
      guarded.child.kill('SIGTERM');
    }
  });
});
