import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiService } from '../api/service';
import { MESSAGE_LIMIT, startWebServer, type RunningServer } from './web-server';

/**
 * Hostile input against a real server (real HTTP, real WebSocket, the real API service; the
 * calls used need no Docker engine). Any uncaught exception here is what would end `serve`.
 */

let server: RunningServer;
let port: string;
let staticDir: string;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'nl-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>test</title>');
  server = await startWebServer({ host: '127.0.0.1', port: 0, staticDir, service: new ApiService() });
  port = new URL(server.url).port;
});

afterAll(async () => {
  await server?.close();
  rmSync(staticDir, { recursive: true, force: true });
});

beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
});

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { maxPayload: 64 * 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The next reply (or error reply) on ws, and how the connection ended if it did. */
function nextMessageOrClose(ws: WebSocket): Promise<{ message?: unknown; close?: { code: number; reason: string } }> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer) => resolve({ message: JSON.parse(data.toString()) }));
    ws.once('close', (code, reason) => resolve({ close: { code, reason: reason.toString() } }));
  });
}

/** A normal call on a fresh connection: proof the server still answers. */
async function labsListAnswers(): Promise<boolean> {
  const ws = await open();
  try {
    const reply = nextMessageOrClose(ws);
    ws.send(JSON.stringify({ id: 'alive', method: 'labs.list', params: {} }));
    const { message } = await reply;
    const m = message as { id: string; reply: { ok: boolean; result?: { labs: { id: string }[] } } };
    return m.id === 'alive' && m.reply.ok && (m.reply.result?.labs.length ?? 0) > 0;
  } finally {
    ws.terminate();
  }
}

/** Sends a raw, hand-made WebSocket frame (masked, as clients must), bypassing ws's checks. */
function rawFrame(opcode: number, payload: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let upgraded = false;
    socket.on('data', (chunk) => {
      if (upgraded || !chunk.toString('latin1').startsWith('HTTP/1.1 101')) return;
      upgraded = true;
      const mask = randomBytes(4);
      const length =
        payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
      const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
      socket.write(Buffer.concat([Buffer.from([0x80 | opcode]), length, mask, masked]));
      setTimeout(() => socket.destroy(), 200);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

describe('the API survives hostile messages', () => {
  it('answers JSON that is not an object with an error, and keeps serving', async () => {
    const ws = await open();
    for (const text of ['null', '42', '"method"', '[1,2]', 'true']) {
      const reply = nextMessageOrClose(ws);
      ws.send(text);
      expect((await reply).message).toEqual({
        id: null,
        reply: { ok: false, error: { code: 'usage', message: 'A message must be a JSON object {id, method, params}.' } },
      });
    }
    ws.close();
    expect(await labsListAnswers()).toBe(true);
    expect(uncaught).toEqual([]);
  }, 30_000);

  it('closes only the connection that sent invalid UTF-8', async () => {
    const ws = await open();
    const ended = nextMessageOrClose(ws);
    // A text frame whose bytes are not UTF-8; ws (the client) would refuse to send it, so by hand too.
    await rawFrame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    ws.send(JSON.stringify({ id: 1, method: 'labs.list', params: {} }));
    expect((await ended).message).toMatchObject({ id: 1, reply: { ok: true } });
    ws.close();
    expect(await labsListAnswers()).toBe(true);
    expect(uncaught).toEqual([]);
  }, 30_000);

  it('refuses a message over the limit with a clear error and closes that connection', async () => {
    const ws = await open();
    const messages: unknown[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString())));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ id: 1, method: 'terminal.write', params: { id: 'x', data: 'a'.repeat(MESSAGE_LIMIT) } }));
    expect(await closed).toBe(1009);
    expect(messages).toEqual([
      { id: null, reply: { ok: false, error: { code: 'usage', message: expect.stringMatching(/refused: the limit is \d+ bytes/) } } },
    ]);
    expect(await labsListAnswers()).toBe(true);
    expect(uncaught).toEqual([]);
  }, 30_000);

  it('closes a connection whose frame is over the hard cap', async () => {
    const ws = await open();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(Buffer.alloc(5 * MESSAGE_LIMIT, 0x20));
    expect(await closed).toBe(1009);
    expect(await labsListAnswers()).toBe(true);
    expect(uncaught).toEqual([]);
  }, 30_000);

  it('answers a malformed URL with 400, not a crash', async () => {
    const status = await new Promise<number | undefined>((resolve) => {
      request({ host: '127.0.0.1', port, path: '/%E0%A4%A' }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on('error', () => resolve(undefined))
        .end();
    });
    expect(status).toBe(400);
    expect(await labsListAnswers()).toBe(true);
    expect(uncaught).toEqual([]);
  }, 30_000);

  it('is alive and answering after ten seconds of random frames and random calls', async () => {
    const methods = [
      'labs.list',
      'labs.get',
      'labfile.read',
      'labfile.validate',
      'terminal.write',
      'terminal.close',
      'nope',
      '__proto__',
      'constructor',
    ];
    const randomJson = (depth = 0): unknown => {
      switch (randomInt(depth > 2 ? 5 : 8)) {
        case 0:
          return null;
        case 1:
          return randomInt(-1e6, 1e6) / randomInt(1, 7);
        case 2:
          return randomBytes(randomInt(0, 24)).toString('latin1');
        case 3:
          return randomInt(2) === 0;
        case 4:
          return methods[randomInt(methods.length)];
        case 5:
          return Array.from({ length: randomInt(4) }, () => randomJson(depth + 1));
        default:
          return Object.fromEntries(
            Array.from({ length: randomInt(4) }, () => [
              ['id', 'method', 'params', 'lab', 'text', 'language', '__proto__'][randomInt(7)],
              randomJson(depth + 1),
            ]),
          );
      }
    };
    const deadline = Date.now() + 10_000;
    let sent = 0;
    while (Date.now() < deadline) {
      const ws = await open();
      ws.on('error', () => undefined);
      ws.on('message', () => undefined);
      for (let i = 0; i < 50 && ws.readyState === ws.OPEN; i++) {
        const kind = randomInt(4);
        if (kind === 0) ws.send(randomBytes(randomInt(0, 200)), { binary: randomInt(2) === 0 });
        else if (kind === 1) ws.send(JSON.stringify(randomJson()));
        else ws.send(JSON.stringify({ id: i, method: methods[randomInt(methods.length)], params: randomJson() }));
        sent++;
      }
      if (randomInt(3) === 0) await rawFrame(randomInt(16), randomBytes(randomInt(0, 100)));
      ws.terminate();
    }
    expect(sent).toBeGreaterThan(100);
    expect(await labsListAnswers()).toBe(true);
    expect(uncaught).toEqual([]);
  }, 60_000);
});
