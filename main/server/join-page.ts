import type { IncomingMessage, ServerResponse } from 'node:http';
import { toAppError } from '../core/errors';
import type { Student, Workshop } from '../core/workshop/workshop';

/**
 * A workshop's door: `/join` shows a form (the code, a name); posting it takes a seat and gives
 * the browser its secret as an HttpOnly cookie, so the page's scripts never see it and a reload,
 * a dropped connection or a server restart keeps the student who they are. A second form takes
 * a rejoin code instead: the seat moves to this browser. Plain HTML, no script: it works before
 * the app loads.
 */

export const SEAT_COOKIE = 'nl-seat';
const FORM_LIMIT = 4096;

/** The student whose seat cookie this request carries. */
export function studentOf(request: IncomingMessage, workshop: Workshop): Student | undefined {
  const secret = cookie(request.headers.cookie ?? '', SEAT_COOKIE);
  return secret ? workshop.studentBySecret(secret) : undefined;
}

/** `onSeatMoved` ends the connections of the browser a rejoin code moved the seat away from. */
export async function serveJoin(
  workshop: Workshop,
  request: IncomingMessage,
  response: ServerResponse,
  onSeatMoved: (student: string) => void = () => undefined,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://placeholder');
  if (request.method === 'GET' || request.method === 'HEAD') {
    const seated = studentOf(request, workshop);
    if (seated) {
      response.writeHead(303, { Location: '/' }).end();
      return;
    }
    page(response, 200, workshop, { code: url.searchParams.get('code') ?? '' });
    return;
  }
  if (request.method !== 'POST') {
    response.writeHead(405, { Allow: 'GET, HEAD, POST' }).end();
    return;
  }
  const form = new URLSearchParams(await body(request));
  const code = form.get('code') ?? '';
  const name = form.get('name') ?? '';
  const rejoin = form.get('rejoin');
  try {
    const { student, secret } = rejoin !== null ? await workshop.rejoin(rejoin) : await workshop.join(code, name);
    if (rejoin !== null) onSeatMoved(student.id);
    response
      .writeHead(303, {
        Location: '/',
        // A year: the workshop ends long before, and the server forgets the seat then anyway.
        'Set-Cookie': `${SEAT_COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000`,
      })
      .end();
  } catch (error) {
    const problem = toAppError(error);
    const shown = rejoin !== null ? { code: '', rejoinProblem: problem.message } : { code, name, problem: problem.message };
    page(response, problem.code === 'forbidden' ? 403 : 400, workshop, shown);
  }
}

interface FormState {
  code: string;
  name?: string;
  problem?: string;
  rejoinProblem?: string;
}

function page(response: ServerResponse, status: number, workshop: Workshop, form: FormState): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Join ${escape(workshop.title)} · Neutron Lab</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:1rem 0 .25rem}
input{font:inherit;width:100%;padding:.4rem;box-sizing:border-box}button{font:inherit;margin-top:1.25rem;padding:.4rem 1.2rem}
h2{font-size:1rem;margin-top:2.5rem}
.problem{color:#b00020}</style></head>
<body><h1>${escape(workshop.title)}</h1><p>Neutron Lab workshop · ${workshop.students.length} of ${workshop.seats} seats taken</p>
${form.problem ? `<p class="problem" role="alert">${escape(form.problem)}</p>` : ''}
<form method="post" action="/join">
<label for="code">Join code</label><input id="code" name="code" required maxlength="16" autocomplete="off" value="${escape(form.code)}">
<label for="name">Your name</label><input id="name" name="name" required maxlength="40" value="${escape(form.name ?? '')}">
<button type="submit">Join</button></form>
<h2>Joined already, in another browser?</h2>
<p>In that browser, choose <em>Move to another browser</em> under your name (or ask the instructor) for a rejoin code.</p>
${form.rejoinProblem ? `<p class="problem" role="alert">${escape(form.rejoinProblem)}</p>` : ''}
<form method="post" action="/join">
<label for="rejoin">Rejoin code</label><input id="rejoin" name="rejoin" required maxlength="16" autocomplete="off">
<button type="submit">Rejoin</button></form></body></html>
`;
  response.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  response.end(html);
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > FORM_LIMIT) {
        reject(new Error('form too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function cookie(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
