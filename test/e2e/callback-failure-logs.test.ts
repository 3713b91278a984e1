// Every failed callback attempt leaves one line at info (at warn when it is the last one) naming the callback URL
// without its credentials, the message, the event type, attempt n of N and the cause: connection refused, a
// timeout, the receiver's HTTP status. Real receivers on 127.0.0.1:0; the journal says when the attempts are over.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptCause } from '../../src/callbacks/attempt-cause.js';
import { LEVEL, startLogged, type LoggedEmulator } from '../helpers/logs.js';

const ACCOUNT = '9906400';
const APP = '0a1b2c3d-0000-4000-8000-0000000064a1';
const FROM = '+19195550640';
const BASIC = `Basic ${Buffer.from('cb-log-user:cb-log-pass').toString('base64')}`;
const HOOK_PASSWORD = 'Hook-Pass-In-Url-5Rj';
// Short where the test is about a timeout, roomy elsewhere so a loaded machine never turns a 500 into a timeout.
const TIMEOUT_MS = 300;
const ROOMY_TIMEOUT_MS = 5000;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An HTTP receiver that answers with `status`, or never answers when `status` is 'hang'. */
async function receiver(status: number | 'hang'): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    req.resume();
    if (status !== 'hang') req.on('end', () => res.writeHead(status).end());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/** A port nothing listens on: bound, then closed again. */
async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An emulator whose application calls back to `callbackUrl` with one retry; sends one SMS and waits till it gave up. */
async function sendAndGiveUp(callbackUrl: string, timeoutMs: number): Promise<{ logged: LoggedEmulator; messageId: string }> {
  const logged = await startLogged({
    callbacks: { timeout: `${timeoutMs}ms`, retryDelays: ['5ms'], deliveryDelay: '1ms' },
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: 'cb-log-user', password: 'cb-log-pass' }],
        applications: [{ id: APP, callbackUrl }],
        numbers: [{ number: FROM, applicationId: APP }],
      },
    ],
  });
  cleanups.push(() => logged.close());
  const res = await request(`${logged.url}/users/${ACCOUNT}/messages`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/json' },
    body: JSON.stringify({ applicationId: APP, to: ['+19195557400'], from: FROM, text: 'hello' }),
  });
  expect(res.statusCode).toBe(202);
  const { id } = (await res.body.json()) as { id: string };
  await logged.emulator.callbackJournal.waitFor({ messageId: id, outcome: 'exhausted' }, 10_000);
  return { logged, messageId: id };
}

/** The failure lines of one message's callbacks. */
const failures = (logged: LoggedEmulator, messageId: string) => logged.lines().filter((l) => l.messageId === messageId && typeof l.cause === 'string');

describe('a failed callback attempt is logged with its cause', () => {
  it.each([
    {
      name: 'a refusing port',
      make: async () => `http://hook:${HOOK_PASSWORD}@127.0.0.1:${await refusingPort()}/hook`,
      cause: 'connection refused (ECONNREFUSED)',
      timeoutMs: ROOMY_TIMEOUT_MS,
    },
    { name: 'a receiver that never answers', make: () => receiver('hang'), cause: `timeout after ${TIMEOUT_MS} ms`, timeoutMs: TIMEOUT_MS },
    { name: 'a receiver answering 500', make: () => receiver(500), cause: 'HTTP 500', timeoutMs: ROOMY_TIMEOUT_MS },
  ])('$name: info for the first attempt, warn for the last', async ({ make, cause, timeoutMs }) => {
    const url = await make();
    const { logged, messageId } = await sendAndGiveUp(url, timeoutMs);
    const lines = failures(logged, messageId);
    const shown = url.replace(`hook:${HOOK_PASSWORD}@`, '');
    expect(lines.map((l) => [l.level, l.attempt, l.attempts])).toEqual([
      [LEVEL.info, 1, 2],
      [LEVEL.warn, 2, 2],
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({ type: 'message-delivered', target: shown });
      expect(line.cause).toContain(cause);
    }
    expect(lines[0]!.msg).toBe(`callback message-delivered of ${messageId} to ${shown}: attempt 1/2 failed: ${lines[0]!.cause}; retrying in 5 ms (emulated)`);
    expect(lines[1]!.msg).toContain('attempt 2/2 failed');
    expect(lines[1]!.msg).toContain('giving up: no retries left');
    expect(logged.raw.join('')).not.toContain(HOOK_PASSWORD);
  });

  it('a delivered callback logs no failure', async () => {
    const url = await receiver(204);
    const logged = await startLogged({
      callbacks: { deliveryDelay: '1ms' },
      accounts: [
        {
          id: ACCOUNT,
          users: [{ username: 'cb-log-user', password: 'cb-log-pass' }],
          applications: [{ id: APP, callbackUrl: url }],
          numbers: [{ number: FROM, applicationId: APP }],
        },
      ],
    });
    cleanups.push(() => logged.close());
    const res = await request(`${logged.url}/users/${ACCOUNT}/messages`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ applicationId: APP, to: ['+19195557401'], from: FROM, text: 'hello' }),
    });
    const { id } = (await res.body.json()) as { id: string };
    await logged.emulator.callbackJournal.waitFor({ messageId: id, outcome: 'delivered' }, 5000);
    expect(failures(logged, id)).toEqual([]);
  });
});

describe('attemptCause', () => {
  it('words network codes, TLS codes, statuses and cut-off answers', () => {
    expect(attemptCause(500, undefined)).toBe('HTTP 500');
    expect(attemptCause(302, undefined)).toBe('HTTP 302 (redirects are not followed)');
    expect(attemptCause(undefined, 'ENOTFOUND')).toBe('DNS: host not found (ENOTFOUND)');
    expect(attemptCause(undefined, 'EAI_AGAIN')).toContain('DNS');
    expect(attemptCause(undefined, 'CERT_HAS_EXPIRED')).toBe('TLS: CERT_HAS_EXPIRED');
    expect(attemptCause(undefined, 'ERR_TLS_CERT_ALTNAME_INVALID')).toBe('TLS: ERR_TLS_CERT_ALTNAME_INVALID');
    expect(attemptCause(undefined, 'DEPTH_ZERO_SELF_SIGNED_CERT')).toBe('TLS: DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(attemptCause(undefined, 'timeout after 10000 ms')).toBe('timeout after 10000 ms');
    expect(attemptCause(200, 'ECONNRESET')).toBe('HTTP 200, then the answer was cut off: connection reset by the receiver (ECONNRESET)');
    expect(attemptCause(undefined, 'something new')).toBe('something new');
  });
});
