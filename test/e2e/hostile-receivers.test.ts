// Hostile callback receivers: down, refusing connections, answering after the timeout, resetting mid-response,
// answering 500 then 200, answering 3xx, answering with an endless body. For each, the emulator keeps answering
// creates while the receiver misbehaves, every event ends with exactly one final journal entry (delivered or
// exhausted), and the books balance: planned = delivered + pending + exhausted (+ the never-sent kinds, all 0 here).
// Real servers from node:net / node:http on 127.0.0.1:0; short timeouts and retry delays keep the suite fast.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { JournalEntry } from '../../src/store/journal.js';
import { expectBooksBalance, settled } from '../helpers/harness.js';
import { assertCallbackMatchesSpec } from '../helpers/spec.js';

const ACCOUNT = '9903000';
const USER = 'hostile-user';
const PASS = 'hostile-password';
const APP = '0a1b2c3d-0000-4000-8000-0000000000b1';
const FROM = '+19195550100';
// Per-attempt timeout: short where the test is about timeouts, roomy elsewhere so a loaded machine never turns a
// reset or a 500 into a timeout.
const TIMEOUT_MS = 200;
const ROOMY_TIMEOUT_MS = 5000;
const RETRIES = ['20ms', '40ms'];
const ATTEMPTS = 1 + RETRIES.length;
/** Creates sent while the receiver misbehaves, after its first failed attempt. */
const DURING = 20;
const FINAL = new Set<JournalEntry['outcome']>(['delivered', 'exhausted']);

// Every emulator and hostile server a test starts is closed after it (emulators first).
const emulators = useEmulators();

/** A receiver's URL plus what it saw: one entry per HTTP request that reached it (raw TCP receivers count connections). */
interface Receiver {
  url: string;
  hits: number;
  bodies: unknown[];
}

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  emulators.defer(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** An HTTP receiver: `answer` gets each request (body parsed) and the attempt number of its event at this receiver. */
async function httpReceiver(answer: (res: ServerResponse, attemptOfEvent: number, req: IncomingMessage) => void): Promise<Receiver> {
  const receiver: Receiver = { url: '', hits: 0, bodies: [] };
  const attemptsByEvent = new Map<string, number>();
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.hits++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{ type: string; to: string; message: { id: string } }>;
      receiver.bodies.push(body);
      const key = `${body[0]!.message.id} ${body[0]!.to} ${body[0]!.type}`;
      const n = (attemptsByEvent.get(key) ?? 0) + 1;
      attemptsByEvent.set(key, n);
      answer(res, n, req);
    });
  });
  receiver.url = `http://127.0.0.1:${await listen(server)}/callbacks`;
  return receiver;
}

async function start(callbackUrl: string, timeoutMs: number): Promise<RunningEmulator> {
  return emulators.start({
    accounts: [
      { id: ACCOUNT, users: [{ username: USER, password: PASS }], applications: [{ id: APP, callbackUrl }], numbers: [{ number: FROM, applicationId: APP }] },
    ],
    callbacks: { timeout: `${timeoutMs}ms`, retryDelays: RETRIES, deliveryDelay: '10ms', sendingDelay: '5ms' },
  });
}

const auth = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');

/** Create one message over HTTP; the answer must be a 202 with an id. */
async function create(running: RunningEmulator, i: number): Promise<string> {
  const res = await fetch(`${running.url}/users/${ACCOUNT}/messages`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ applicationId: APP, to: [`+1919555${String(7000 + i)}`], from: FROM, text: `hostile ${i}` }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

/**
 * The common run: one message, wait for its first attempt (the receiver has misbehaved once), then DURING more
 * creates, all answered 202 and all searchable; then wait until nothing is pending.
 */
async function runAgainst(receiver: Receiver | { url: string }, timeoutMs = ROOMY_TIMEOUT_MS): Promise<{ running: RunningEmulator; ids: string[] }> {
  const running = await start(receiver.url, timeoutMs);
  const first = await create(running, 0);
  await running.callbacks.waitFor({ messageId: first }, { timeoutMs: 5000 });
  const during = await Promise.all(Array.from({ length: DURING }, (_, i) => create(running, i + 1)));
  const ids = [first, ...during];
  // The books balance at every moment, not only at the end: mid-run, with events still pending.
  const midRun = running.emulator.parts.dispatcher.stats();
  expectBooksBalance(midRun);
  // What the emulator accepted it reports: every message is in the search API.
  for (const id of ids) {
    const res = await fetch(`${running.url}/users/${ACCOUNT}/messages?messageId=${id}`, { headers: { authorization: auth } });
    expect(((await res.json()) as { totalCount: number }).totalCount).toBe(1);
  }
  await settled(running, 15_000);
  return { running, ids };
}

/** Every event has exactly one final entry, it is its last attempt, and the books balance with nothing pending. */
function expectBooksBalanced(running: RunningEmulator, ids: readonly string[], expected: { delivered: number; exhausted: number }) {
  const books = running.emulator.parts.dispatcher.stats();
  // An SMS to one recipient has one status event by default (message-delivered; message-sending is MMS-only).
  expect(books.planned).toBe(ids.length);
  expect(books).toMatchObject({ pending: 0, noTarget: 0, notRequested: 0, dropped: 0, cancelled: 0, ...expected });
  expectBooksBalance(books);
  const entries = running.emulator.parts.journal.list({ accountId: ACCOUNT });
  const byEvent = new Map<string, JournalEntry[]>();
  for (const entry of entries) byEvent.set(entry.eventId, [...(byEvent.get(entry.eventId) ?? []), entry]);
  expect(byEvent.size).toBe(books.planned);
  for (const [eventId, attempts] of byEvent) {
    attempts.sort((a, b) => a.attempt - b.attempt);
    const finals = attempts.filter((a) => FINAL.has(a.outcome));
    expect(finals, eventId).toHaveLength(1);
    expect(attempts.at(-1), eventId).toBe(finals[0]);
    expect(
      attempts.map((a) => a.attempt),
      eventId,
    ).toEqual(attempts.map((_, i) => i + 1));
  }
  const finals = entries.filter((e) => FINAL.has(e.outcome));
  expect(finals.filter((e) => e.outcome === 'delivered')).toHaveLength(expected.delivered);
  expect(finals.filter((e) => e.outcome === 'exhausted')).toHaveLength(expected.exhausted);
  expect(new Set(finals.map((e) => e.messageId))).toEqual(new Set(ids));
  return entries;
}

const EVENTS = 1 + DURING;

describe('hostile callback receivers', () => {
  it('down (nothing listens): every attempt is refused, every event exhausted, the API never stalls', async () => {
    const probe = createTcpServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const { running, ids } = await runAgainst({ url: `http://127.0.0.1:${port}/callbacks` });
    const entries = expectBooksBalanced(running, ids, { delivered: 0, exhausted: EVENTS });
    expect(entries).toHaveLength(EVENTS * ATTEMPTS);
    for (const e of entries) {
      expect(e.error).toBe('ECONNREFUSED');
      expect(e.response).toBeUndefined();
    }
  });

  it('refusing connections (accepts, then resets at once): every event exhausted with the error journaled', async () => {
    let connections = 0;
    const server = createTcpServer((socket) => {
      connections++;
      socket.resetAndDestroy();
    });
    const port = await listen(server);

    const { running, ids } = await runAgainst({ url: `http://127.0.0.1:${port}/callbacks` });
    const entries = expectBooksBalanced(running, ids, { delivered: 0, exhausted: EVENTS });
    expect(entries).toHaveLength(EVENTS * ATTEMPTS);
    for (const e of entries) {
      expect(e.error).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
      expect(e.response).toBeUndefined();
    }
    expect(connections).toBeGreaterThanOrEqual(EVENTS * ATTEMPTS);
  });

  it('answering after the timeout: the late 200 never counts; retried, then exhausted', async () => {
    const late = new Set<NodeJS.Timeout>();
    emulators.defer(() => late.forEach(clearTimeout));
    const receiver = await httpReceiver((res) => {
      const timer = setTimeout(() => {
        late.delete(timer);
        if (!res.destroyed) res.writeHead(200).end('too late');
      }, TIMEOUT_MS * 3);
      late.add(timer);
    });

    const { running, ids } = await runAgainst(receiver, TIMEOUT_MS);
    const entries = expectBooksBalanced(running, ids, { delivered: 0, exhausted: EVENTS });
    expect(entries).toHaveLength(EVENTS * ATTEMPTS);
    for (const e of entries) {
      expect(e.error).toBe(`timeout after ${TIMEOUT_MS} ms`);
      expect(e.response).toBeUndefined();
    }
    expect(receiver.hits).toBe(EVENTS * ATTEMPTS);
  });

  it('resetting mid-response (200 status line, half a body, then RST): a failed attempt, retried, then delivered', async () => {
    const receiver = await httpReceiver((res, attempt) => {
      if (attempt > 1) return void res.writeHead(200).end('ok');
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial', () => res.socket?.resetAndDestroy());
    });

    const { running, ids } = await runAgainst(receiver);
    const entries = expectBooksBalanced(running, ids, { delivered: EVENTS, exhausted: 0 });
    const firsts = entries.filter((e) => e.attempt === 1);
    expect(firsts).toHaveLength(EVENTS);
    for (const e of firsts) {
      expect(e.outcome).toBe('retrying');
      expect(e.error).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed|aborted/);
    }
    for (const e of entries.filter((x) => x.outcome === 'delivered')) expect(e.attempt).toBe(2);
    // At least once: the receiver saw each event twice, the same body both times.
    expect(receiver.hits).toBe(EVENTS * 2);
  });

  it('answering 500 then 200: delivered on the second attempt, the 500 journaled', async () => {
    const receiver = await httpReceiver((res, attempt) => void res.writeHead(attempt === 1 ? 500 : 200).end(attempt === 1 ? 'boom' : 'ok'));

    const { running, ids } = await runAgainst(receiver);
    const entries = expectBooksBalanced(running, ids, { delivered: EVENTS, exhausted: 0 });
    expect(entries.filter((e) => e.attempt === 1).map((e) => [e.outcome, e.response?.status, e.response?.body])).toEqual(
      Array(EVENTS).fill(['retrying', 500, 'boom']),
    );
    expect(entries.filter((e) => e.outcome === 'delivered').map((e) => e.attempt)).toEqual(Array(EVENTS).fill(2));
    expect(receiver.hits).toBe(EVENTS * 2);
  });

  it('answering 3xx: redirects are not followed (Bandwidth does not); each is a failed attempt, retried, then exhausted', async () => {
    const elsewhere = await httpReceiver((res) => void res.writeHead(200).end());
    const statuses = [301, 302, 303, 307, 308];
    let n = 0;
    const receiver = await httpReceiver((res) => void res.writeHead(statuses[n++ % statuses.length]!, { location: elsewhere.url }).end());

    const { running, ids } = await runAgainst(receiver);
    const entries = expectBooksBalanced(running, ids, { delivered: 0, exhausted: EVENTS });
    for (const e of entries) expect(statuses).toContain(e.response?.status);
    expect(receiver.hits).toBe(EVENTS * ATTEMPTS);
    // The Location was never fetched: the emulator only calls URLs the user configured.
    expect(elsewhere.hits).toBe(0);
  });

  it('answering 200 with an endless body: delivered, the journal keeps 4 KB, the emulator stops reading', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'z');
    let bytesSent = 0;
    const receiver = await httpReceiver((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // Writes for as long as the emulator reads; stops when it hangs up.
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) bytesSent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });

    const { running, ids } = await runAgainst(receiver);
    const entries = expectBooksBalanced(running, ids, { delivered: EVENTS, exhausted: 0 });
    for (const e of entries) {
      expect(e.outcome).toBe('delivered');
      expect(e.attempt).toBe(1);
      expect(e.error).toBeUndefined();
      expect(e.response!.body.length).toBeLessThanOrEqual(4096);
      expect(e.response!.body.length).toBeGreaterThan(0);
    }
    // Each answer was cut short by the emulator, not drained: far less than an endless stream per event.
    expect(bytesSent).toBeLessThan(EVENTS * 16 * 1024 * 1024);
  });

  it('every body any hostile receiver got matched the spec (the emulator never sends garbage to a bad receiver either)', async () => {
    const receiver = await httpReceiver((res, attempt) => void res.writeHead(attempt === 1 ? 503 : 204).end());
    await runAgainst(receiver);
    expect(receiver.bodies.length).toBe(EVENTS * 2);
    for (const body of receiver.bodies) assertCallbackMatchesSpec(body);
  });
});
