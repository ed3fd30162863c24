import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTENT_SECURITY_POLICY } from '../api/content-security-policy';
import type { Caller } from '../api/access';
import type { ApiService, Client } from '../api/service';
import { AppError } from '../core/errors';
import type { Workshop } from '../core/workshop/workshop';
import { serveJoin, studentOf } from './join-page';

/**
 * The browser mode: the renderer's files and the API (over WebSocket, at /api) on one port.
 * It listens on 127.0.0.1 unless told otherwise, and then only with a token, because the API
 * drives the Docker engine, which is root-equivalent.
 */

export interface WebServerOptions {
  host: string;
  port: number;
  /** Required when `host` is not a loopback address. */
  token?: string;
  /** The built renderer (out/renderer). */
  staticDir: string;
  service: ApiService;
  /**
   * A workshop: every caller has an identity — the instructor by the workshop's token, a student
   * by the seat cookie `/join` gave their browser — and the service enforces what each may do.
   */
  workshop?: Workshop;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
};

export async function startWebServer(options: WebServerOptions): Promise<RunningServer> {
  const loopback = LOOPBACK_HOSTS.has(options.host);
  const { workshop } = options;
  if (workshop && options.token) throw new AppError('usage', 'A workshop has its own instructor token; give no --token.');
  const token = workshop?.instructorToken ?? options.token;
  if (!loopback && !token) {
    throw new AppError('usage', `Serving on ${options.host} exposes the Docker engine to the network; it needs --token.`, {
      hint: 'Pick a long random token, e.g. --token "$(openssl rand -hex 16)", and share the printed URL with your class.',
    });
  }
  const staticRoot = resolve(options.staticDir);
  if (!existsSync(join(staticRoot, 'index.html'))) {
    throw new AppError('environment', `The UI is not built (${join(staticRoot, 'index.html')} is missing).`, {
      hint: 'Build it with `npm run build`.',
    });
  }

  const server = createServer((request, response) => {
    const served = workshop
      ? serveWorkshopPage(workshop, staticRoot, request, response, endConnectionsOf)
      : serveStatic(staticRoot, request, response);
    served.catch(() => {
      // A request that cannot be served is that request's problem, never the server's.
      if (!response.headersSent) response.writeHead(400);
      response.end();
    });
  });
  // The hard cap, enforced by ws while the frame arrives: beyond it the connection is closed
  // with 1009 (Message Too Big) without buffering the rest. Below it, serveApi refuses anything
  // over MESSAGE_LIMIT with a readable error first.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4 * MESSAGE_LIMIT });
  /** Connected tabs; stopping the server waits until their terminals' processes are gone. */
  const clients = new Set<Client>();
  /** Who each open connection is: a seat moved to another browser ends the old browser's. */
  const callers = new Map<WebSocket, Caller>();
  function endConnectionsOf(student: string): void {
    for (const [ws, caller] of callers) if (caller.role === 'student' && caller.id === student) ws.close(4001, 'Seat moved');
  }
  server.on('upgrade', (request, socket, head) => {
    // A peer that resets mid-handshake must not become an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    const refusal = refuseUpgrade(request, loopback, workshop ? undefined : token);
    const caller = refusal ? undefined : identify(request, workshop);
    if (refusal || !caller) {
      socket.end(`HTTP/1.1 ${refusal ?? '401 Unauthorized'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const client = serveApi(ws, options.service, caller);
      clients.add(client);
      callers.set(ws, caller);
      ws.once('close', () => {
        callers.delete(ws);
        void client.close().finally(() => clients.delete(client));
      });
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new AppError('environment', `Port ${options.port} on ${options.host} is in use.`, { hint: 'Pick another with --port.' })
          : error,
      ),
    );
    server.listen(options.port, options.host, resolvePromise);
  });
  const { port } = server.address() as AddressInfo;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostInUrl}:${port}/${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return {
    url,
    close: async () => {
      const stopped = new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      await Promise.all([stopped, ...[...clients].map((client) => client.close())]);
    },
  };
}

/**
 * Browsers let any web page open a WebSocket to 127.0.0.1, so the API accepts only pages it
 * served itself (same origin, loopback host name against DNS rebinding) and, off loopback, the token.
 */
function refuseUpgrade(request: IncomingMessage, loopback: boolean, token: string | undefined): string | undefined {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', 'http://placeholder');
  } catch {
    return '400 Bad Request';
  }
  if (url.pathname !== '/api') return '404 Not Found';
  const host = request.headers.host ?? '';
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return '403 Forbidden';
  if (loopback && !LOOPBACK_HOSTS.has(host.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''))) return '403 Forbidden';
  if (token !== undefined && !sameSecret(url.searchParams.get('token') ?? '', token)) return '401 Unauthorized';
  return undefined;
}

/**
 * Who is on the other end. Outside a workshop, whoever passed refuseUpgrade is the owner. In a
 * workshop, the instructor's token or a student's seat cookie; nobody else.
 */
function identify(request: IncomingMessage, workshop: Workshop | undefined): Caller | undefined {
  if (!workshop) return { role: 'owner' };
  const url = new URL(request.url ?? '/', 'http://placeholder');
  if (workshop.isInstructor(url.searchParams.get('token') ?? '')) return { role: 'instructor' };
  const student = studentOf(request, workshop);
  return student ? { role: 'student', id: student.id, name: student.name } : undefined;
}

/** A workshop's pages: the join form, and the app only for someone with a seat or the instructor's token. */
async function serveWorkshopPage(
  workshop: Workshop,
  root: string,
  request: IncomingMessage,
  response: ServerResponse,
  onSeatMoved: (student: string) => void,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  if (url.pathname === '/join') return serveJoin(workshop, request, response, onSeatMoved);
  const isPage = !extname(url.pathname);
  if (isPage && !workshop.isInstructor(url.searchParams.get('token') ?? '') && !studentOf(request, workshop)) {
    response.writeHead(303, { Location: '/join' }).end();
    return;
  }
  return serveStatic(root, request, response);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The largest API message: the contract's biggest parameter (a 1 MiB lab file or terminal write)
 * with room for JSON escaping. Larger ones are refused and their connection closed.
 */
export const MESSAGE_LIMIT = 4 * 1024 * 1024;

type Request = { id: string | number | null; method: unknown; params: unknown };

/**
 * One tab, one client: calls `{id, method, params}` get replies `{id, reply}` (maybe out of
 * order); events are pushed as `{event, payload}`. Nothing a peer sends may end the process:
 * a bad message gets an error reply, a broken frame (invalid UTF-8, too big) closes only its
 * own connection.
 */
function serveApi(ws: WebSocket, service: ApiService, caller: Caller): Client {
  const send = (message: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const refuse = (message: string) => send({ id: null, reply: { ok: false, error: { code: 'usage', message } } });
  const client = service.client((event, payload) => send({ event, payload }), caller);
  // ws has already closed the connection (1007 for invalid UTF-8, 1009 for a frame over its
  // cap); without this listener the 'error' event would throw and end the server.
  ws.on('error', (error) => process.stderr.write(`API connection closed: ${error.message}\n`));
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (bytes.length > MESSAGE_LIMIT) {
      refuse(`Message of ${bytes.length} bytes refused: the limit is ${MESSAGE_LIMIT} bytes. The connection is closed.`);
      ws.close(1009, 'Message too big');
      return;
    }
    const request = parseRequest(bytes);
    if (typeof request === 'string') {
      refuse(request);
      return;
    }
    void client.dispatch(request.method, request.params).then((reply) => send({ id: request.id, reply }));
  });
  return client;
}

/** A call, or why the message is not one. */
function parseRequest(bytes: Buffer): Request | string {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'Messages must be JSON.';
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'A message must be a JSON object {id, method, params}.';
  const { id, method, params } = data as Record<string, unknown>;
  return { id: typeof id === 'string' || typeof id === 'number' ? id : null, method, params };
}

async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://placeholder').pathname);
  const candidate = normalize(join(root, pathname));
  // Never outside the renderer folder; unknown paths get the app (client-side routes).
  const inside = candidate === root || candidate.startsWith(root + sep);
  if (!inside) {
    response.writeHead(403).end();
    return;
  }
  // Paths without an extension are the app's own routes: they all get index.html.
  const file = extname(candidate) ? candidate : join(root, 'index.html');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
