// The callback engine end to end, part 2: delivery mechanics. Retries on the configured schedule, per-attempt
// timeouts, challenge and preemptive Basic auth, nothing lost under failures, and close() with work still pending.
// Real emulator, real callback receivers (sinks on 127.0.0.1:0), the official bandwidth-sdk as the client.
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import type { RunningEmulator } from '../../src/start.js';
import type { ConfigFile } from '../../src/config/schema.js';
import type { JournalEntry, JournalFilter } from '../../src/store/journal.js';
import { useEmulators } from '../helpers/fixture.js';
import { expectBooksBalance } from '../helpers/harness.js';

type AccountFile = NonNullable<ConfigFile['accounts']>[number];
type AppFile = AccountFile['applications'][number];
type CallbacksFile = NonNullable<ConfigFile['callbacks']>;

const ACCOUNT = '9902000';
const USER = 'cb-user';
const PASS = 'cb-password';
const APP = '0a1b2c3d-0000-4000-8000-0000000000a1';
const FROM = '+19195550100';
const TO1 = '+19195557001';
const WAIT = { timeoutMs: 5000 };
const FAST: CallbacksFile = { retryDelays: ['20ms', '40ms'], timeout: '300ms', deliveryDelay: '10ms', sendingDelay: '5ms' };
const TERMINAL = new Set<JournalEntry['outcome']>(['delivered', 'exhausted', 'no-target', 'not-requested', 'dropped']);

// ---- teardown: emulators closed, held responses ended, every received body checked against the spec ----
const held: ServerResponse[] = [];
const emulators = useEmulators({
  beforeClose: () => {
    for (const res of held.splice(0)) res.destroy();
  },
});
const { checked, newSink } = emulators;

/** A sink behaviour that never answers: the response stays open until teardown destroys it. */
function hold(res: ServerResponse): 'handled' {
  held.push(res);
  return 'handled';
}

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): 'handled' {
  res.writeHead(status, headers).end();
  return 'handled';
}

async function start(application: Omit<AppFile, 'id'>, callbacks: CallbacksFile = {}): Promise<{ running: RunningEmulator; api: MessagesApi }> {
  const running = await emulators.start({
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: USER, password: PASS }],
        applications: [{ id: APP, ...application }],
        numbers: [{ number: FROM, applicationId: APP }],
      },
    ],
    callbacks: { ...FAST, ...callbacks },
  });
  const api = new MessagesApi(new Configuration({ basePath: running.url, username: running.account.username, password: running.account.password }));
  return { running, api };
}

function request(to: string[] = [TO1], extra: { text?: string; tag?: string } = {}): MessageRequest {
  // `to` is a Set in the SDK's types but goes on the wire as the array it is.
  return { applicationId: APP, to: to as unknown as Set<string>, from: FROM, text: extra.text ?? 'delivery test', ...(extra.tag ? { tag: extra.tag } : {}) };
}

async function send(api: MessagesApi, body: MessageRequest = request()): Promise<string> {
  const res = await api.createMessage(ACCOUNT, body);
  expect(res.status).toBe(202);
  const id = res.data.id;
  if (!id) throw new Error(`202 without a message id: ${JSON.stringify(res.data)}`);
  return id;
}

/** Follow one event's attempts through the journal (long-poll, entry after entry) until it reaches a final outcome. */
async function waitTerminal(running: RunningEmulator, filter: JournalFilter, timeoutMs = 5000): Promise<JournalEntry> {
  let afterSeq = 0;
  for (;;) {
    const entry = await running.callbacks.waitFor({ ...filter, afterSeq }, { timeoutMs });
    if (TERMINAL.has(entry.outcome)) return entry;
    afterSeq = entry.seq;
  }
}

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

describe('retries and timeouts', () => {
  it('a receiver answering 500, 500, 200: delivered on the third attempt, every attempt journaled', async () => {
    const sink = await newSink();
    sink.respond((req, res) => (req.n <= 2 ? answer(res, 500) : undefined));
    const { running, api } = await start({ callbackUrl: sink.url });
    const id = await send(api);

    const final = await running.callbacks.waitFor({ messageId: id, outcome: 'delivered' }, WAIT);
    expect(final.attempt).toBe(3);
    const attempts = await running.callbacks.list({ messageId: id });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts.map((a) => a.outcome)).toEqual(['retrying', 'retrying', 'delivered']);
    expect(attempts.map((a) => a.response?.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((a) => a.eventId)).size).toBe(1);
    // The schedule is honoured: the retries wait 20 ms, then 40 ms after the attempt before (±1 ms timer slack).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(19);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(39);
    // At least once: the receiver saw the same event three times, byte for byte.
    expect(sink.requests).toHaveLength(3);
    expect(sink.requests.map((r) => JSON.stringify(r.body))).toEqual(Array(3).fill(JSON.stringify(sink.requests[0]!.body)));
    expect(running.emulator.parts.dispatcher.stats()).toMatchObject({ planned: 1, delivered: 1, pending: 0, exhausted: 0 });
  });

  it('a receiver that never answers: each attempt times out, retried per the schedule, then exhausted', async () => {
    const sink = await newSink();
    sink.respond((_req, res) => hold(res));
    const { running, api } = await start({ callbackUrl: sink.url });
    const id = await send(api);

    const final = await running.callbacks.waitFor({ messageId: id, outcome: 'exhausted' }, WAIT);
    const attempts = await running.callbacks.list({ messageId: id });
    expect(attempts).toHaveLength(1 + 2);
    expect(final.attempt).toBe(3);
    expect(attempts.map((a) => a.outcome)).toEqual(['retrying', 'retrying', 'exhausted']);
    for (const a of attempts) {
      expect(a.response).toBeUndefined();
      expect(a.error).toMatch(/timeout/i);
      // Each attempt waited out the 300 ms timeout (with a little slack for timer granularity).
      expect(a.durationMs).toBeGreaterThanOrEqual(290);
    }
    expect(sink.requests).toHaveLength(3);
    expect(running.emulator.parts.dispatcher.stats()).toMatchObject({ planned: 1, delivered: 0, exhausted: 1, pending: 0 });
  });
});

describe('callback credentials', () => {
  it('challenge: first POST bare; on 401 + WWW-Authenticate: Basic, the same POST again with the credentials', async () => {
    const sink = await newSink();
    const expected = basic('hook-user', 'hook:secret');
    sink.respond((req, res) => {
      if (!req.headers.authorization) return answer(res, 401, { 'WWW-Authenticate': 'Basic realm="x"' });
      return req.headers.authorization === expected ? undefined : answer(res, 403);
    });
    const { running, api } = await start({ callbackUrl: sink.url, callbackAuth: { mode: 'challenge', username: 'hook-user', password: 'hook:secret' } });
    const id = await send(api);

    const final = await running.callbacks.waitFor({ messageId: id, outcome: 'delivered' }, WAIT);
    expect(final.attempt).toBe(2);
    expect(sink.requests).toHaveLength(2);
    expect(sink.requests[0]!.headers.authorization).toBeUndefined();
    expect(sink.requests[1]!.headers.authorization).toBe(expected);
    expect(sink.requests[1]!.body).toEqual(sink.requests[0]!.body);
    const attempts = await running.callbacks.list({ messageId: id });
    expect(attempts.map((a) => [a.attempt, a.outcome, a.response?.status])).toEqual([
      [1, 'retrying', 401],
      [2, 'delivered', 200],
    ]);
    // The journal shows that credentials were sent, never what they were.
    expect(attempts[1]!.request.headers.authorization).toBe('Basic [redacted]');
    expect(JSON.stringify(attempts)).not.toContain(expected.slice('Basic '.length));
  });

  it('challenge: a 401 without WWW-Authenticate is not answered with credentials; it is an ordinary failure', async () => {
    const sink = await newSink();
    sink.respond((_req, res) => answer(res, 401));
    const { running, api } = await start({ callbackUrl: sink.url, callbackAuth: { mode: 'challenge', username: 'hook-user', password: 'secret' } });
    const id = await send(api);

    const final = await running.callbacks.waitFor({ messageId: id, outcome: 'exhausted' }, WAIT);
    expect(final.attempt).toBe(3);
    expect(sink.requests).toHaveLength(3);
    expect(sink.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined, undefined]);
    const attempts = await running.callbacks.list({ messageId: id });
    expect(attempts.map((a) => [a.outcome, a.response?.status])).toEqual([
      ['retrying', 401],
      ['retrying', 401],
      ['exhausted', 401],
    ]);
  });

  it('preemptive: the very first POST carries the credentials', async () => {
    const sink = await newSink();
    const expected = basic('pre-user', 'pre-pass');
    sink.respond((req, res) => (req.headers.authorization === expected ? undefined : answer(res, 401, { 'WWW-Authenticate': 'Basic realm="x"' })));
    const { running, api } = await start({ callbackUrl: sink.url, callbackAuth: { mode: 'preemptive', username: 'pre-user', password: 'pre-pass' } });
    const id = await send(api);

    const final = await running.callbacks.waitFor({ messageId: id, outcome: 'delivered' }, WAIT);
    expect(final.attempt).toBe(1);
    expect(sink.requests).toHaveLength(1);
    expect(sink.requests[0]!.headers.authorization).toBe(expected);
  });
});

describe('nothing lost', () => {
  it('20 messages against a receiver that fails the first 10 requests: every event ends delivered or exhausted, books balance', async () => {
    const N = 20;
    const sink = await newSink();
    const answeredOk = new Set<string>();
    sink.respond((req, res) => {
      if (req.n <= 10) return answer(res, 503);
      for (const event of req.body as Array<{ message: { id: string } }>) answeredOk.add(event.message.id);
      return undefined;
    });
    const { running, api } = await start({ callbackUrl: sink.url }, { retryDelays: ['20ms', '40ms', '80ms', '160ms'] });

    const ids = await Promise.all(Array.from({ length: N }, (_, i) => send(api, request([TO1], { text: `burst ${i}` }))));
    expect(new Set(ids).size).toBe(N);
    const finals = await Promise.all(ids.map((messageId) => waitTerminal(running, { messageId, type: 'message-delivered' })));

    const books = running.emulator.parts.dispatcher.stats();
    expect(books.pending).toBe(0);
    await running.assertNoPending();
    for (const entry of finals) expect(['delivered', 'exhausted']).toContain(entry.outcome);
    const delivered = finals.filter((e) => e.outcome === 'delivered').map((e) => e.messageId);
    const exhausted = finals.filter((e) => e.outcome === 'exhausted').map((e) => e.messageId);
    expect(delivered.length + exhausted.length).toBe(N);
    expect(books.delivered).toBe(delivered.length);
    expect(books.exhausted).toBe(exhausted.length);
    expect(books.planned).toBe(N);
    expectBooksBalance(books);
    // Ten failures spread over twenty events with four retries each: nobody should run out.
    expect(exhausted).toEqual([]);
    // Each delivered message was really answered 2xx by the receiver, and exactly one final outcome per event.
    for (const messageId of delivered) expect(answeredOk.has(messageId)).toBe(true);
    expect(answeredOk.size).toBe(delivered.length);
    const journal = await running.callbacks.list({ type: 'message-delivered' });
    expect(journal.filter((e) => TERMINAL.has(e.outcome))).toHaveLength(N);
    // Every POST the receiver got is one journaled attempt, and the 10 failures are all there.
    expect(journal).toHaveLength(sink.requests.length);
    expect(journal.filter((e) => e.response?.status === 503)).toHaveLength(10);
  });
});

describe('close()', () => {
  it('with events still scheduled: resolves promptly, reports stepsNotFired, leaves no timer behind', async () => {
    const sink = await newSink();
    const { running, api } = await start({ callbackUrl: sink.url }, { deliveryDelay: '10s' });
    const id = await send(api);
    expect(running.emulator.parts.timeline.pendingSteps).toBe(1);

    // A hang here is caught by the test timeout; speed itself is not asserted in tests.
    const report = await running.close();
    expect(report.stepsNotFired).toBe(1);
    expect(report.callbacks).toMatchObject({ planned: 0, pending: 0 });
    expect(running.emulator.parts.timeline.pendingSteps).toBe(0);
    expect(running.emulator.parts.clock.pending).toBe(0);
    expect(sink.requests).toHaveLength(0);
    expect(running.emulator.parts.journal.list({ messageId: id })).toEqual([]);
    // A second close is the same report, not a second shutdown.
    expect(await running.close()).toBe(report);
  });

  it('with a POST in flight and a retry waiting: both reported as cancelled, nothing hangs', async () => {
    const sink = await newSink();
    // First POST is held open (in flight at close); every other one fails, so its retry waits 10 s.
    sink.respond((req, res) => (req.n === 1 ? hold(res) : answer(res, 500)));
    const { running, api } = await start({ callbackUrl: sink.url }, { timeout: '10s', retryDelays: ['10s'] });
    const first = await send(api);
    await sink.waitFor((requests) => requests.length === 1);
    const second = await send(api);
    await running.callbacks.waitFor({ messageId: second, outcome: 'retrying' }, WAIT);
    expect(running.emulator.parts.dispatcher.stats().pending).toBe(2);

    // A hang here is caught by the test timeout; speed itself is not asserted in tests.
    const report = await running.close();
    expect(report.stepsNotFired).toBe(0);
    expect(report.callbacks).toMatchObject({ planned: 2, pending: 0, cancelled: 2, delivered: 0, exhausted: 0 });
    expectBooksBalance(running.emulator.parts.dispatcher.stats());
    expect(running.emulator.parts.clock.pending).toBe(0);
    // The aborted attempt never claims an outcome it did not have.
    // Cancelled events are journaled, not silently dropped: the in-flight POST and the waiting retry each get an entry.
    expect(running.emulator.parts.journal.list({ messageId: first }).map((e) => e.outcome)).toEqual(['cancelled']);
    expect(running.emulator.parts.journal.list({ messageId: second }).map((e) => e.outcome)).toEqual(['retrying', 'cancelled']);
  });
});

// Runs last (vitest keeps file order): the afterEach hook above validated every body every sink received.
describe('spec conformance of everything sent', () => {
  it('every callback body received by any sink in this file matched the spec', () => {
    // 3 + 3 + 2 + 3 + 1 + (20 + 10) + 0 + 2 bodies.
    expect(checked.bodies).toBeGreaterThanOrEqual(44);
  });
});

describe('reset cancels what is pending', () => {
  it('a reset of the account cancels its waiting retry: journaled as cancelled, never attempted again', async () => {
    const sink = await newSink();
    sink.respond((_req, res) => answer(res, 500));
    const { running, api } = await start({ callbackUrl: sink.url }, { retryDelays: ['1h'] });
    const id = await send(api);
    await running.callbacks.waitFor({ messageId: id, outcome: 'retrying' }, WAIT);
    expect(running.emulator.parts.dispatcher.stats().pending).toBe(1);

    const seen: string[] = [];
    const off = running.emulator.parts.journal.subscribe((entry) => seen.push(entry.outcome));
    await running.reset(ACCOUNT);
    off();
    expect(seen).toEqual(['cancelled']);
    expect(running.emulator.parts.dispatcher.stats()).toMatchObject({ pending: 0, cancelled: 1 });
    expectBooksBalance(running.emulator.parts.dispatcher.stats());

    // Nothing is left to run: flushing time makes no new attempt and the receiver hears nothing more.
    await running.time.flush();
    expect(await running.callbacks.list({ accountId: ACCOUNT })).toEqual([]);
    expect(sink.requests).toHaveLength(1);
  });
});
