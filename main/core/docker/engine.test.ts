import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listSessions } from '../session/sessions';
import { compareApiVersions, connectEngine } from './engine';

describe('compareApiVersions', () => {
  it('compares numerically, not as text', () => {
    expect(compareApiVersions('1.41', '1.40')).toBe(1);
    expect(compareApiVersions('1.9', '1.40')).toBe(-1);
    expect(compareApiVersions('1.40', '1.40')).toBe(0);
    expect(compareApiVersions('2.0', '1.99')).toBe(1);
  });
});

describe('connectEngine', () => {
  it('reports an unreachable engine as one environment error with a fix', async () => {
    const error = await connectEngine({ endpoint: 'unix:///nonexistent/docker.sock', timeoutMs: 500 }).catch((e) => e);
    expect(error).toMatchObject({ code: 'environment', exitCode: 3 });
    expect(error.message).toContain('unix:///nonexistent/docker.sock');
    expect(error.hint).toMatch(/Start the Docker engine/);
  });
});

describe('connectEngine against an engine that is too old', () => {
  it('names the versions and the fix', async () => {
    // A stand-in that speaks just enough of the Engine API to say it is Docker 17.03.
    const server = createServer((request, response) => {
      response.setHeader('Content-Type', 'application/json');
      if (request.url?.endsWith('/version'))
        response.end(JSON.stringify({ Version: '17.03.0', ApiVersion: '1.26', Os: 'linux', Arch: 'amd64', KernelVersion: '4.9' }));
      else response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await connectEngine({ endpoint: `tcp://127.0.0.1:${port}` }).catch((e) => e);
      expect(error).toMatchObject({ code: 'environment', exitCode: 3 });
      expect(error.message).toBe(
        `The Docker engine at tcp://127.0.0.1:${port} is too old: version 17.03.0 speaks API 1.26, Neutron Lab needs API 1.40 (Docker 19.03) or newer.`,
      );
      expect(error.hint).toMatch(/Upgrade the Docker engine/);
    } finally {
      server.close();
    }
  });
});

describe('an engine that stops answering after the handshake', () => {
  it('fails each short request within its bound, naming what was asked', async () => {
    // A stand-in that shakes hands as a current engine and then never answers: the stall the
    // issue saw (a snapshot waiting a minute on a busy engine, printing nothing) made certain.
    const stalled: Array<() => void> = [];
    let abandoned = 0;
    const server = createServer((request, response) => {
      response.setHeader('Content-Type', 'application/json');
      if (request.url?.endsWith('/version'))
        return response.end(JSON.stringify({ Version: '28.2.2', ApiVersion: '1.50', Os: 'linux', Arch: 'amd64', KernelVersion: '6.1' }));
      request.socket.once('close', () => abandoned++);
      stalled.push(() => response.destroy());
      return undefined;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const engine = await connectEngine({ endpoint: `tcp://127.0.0.1:${port}`, callTimeoutMs: 300 });
      const started = Date.now();
      const error = await listSessions(engine).catch((e) => e);
      expect(error).toMatchObject({ code: 'failed' });
      expect(error.message).toMatch(
        /^The Docker engine did not finish listing the labs' (containers|networks|boot marks) within 300 ms\.$/,
      );
      expect(error.hint).toMatch(/docker info/);
      expect(Date.now() - started).toBeLessThan(30_000); // bounded, not the socket's own minutes
      // The requests were given up, not left open: the engine saw their connections go.
      expect(stalled.length).toBeGreaterThan(0);
      await expect.poll(() => abandoned, { timeout: 10_000 }).toBe(stalled.length);
    } finally {
      for (const end of stalled) end();
      server.close();
    }
  });
});
