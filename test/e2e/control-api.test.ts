// The control API end to end: every ControlOperations member, asserted identically in-process (startEmulator's own
// operations) and over HTTP (connectEmulator(url)), plus what only the HTTP surface has (ready, OpenAPI document,
// error bodies, long-poll 408, control token, Server-Sent Events, the routes the client does not wrap).
// Messages go in through the official bandwidth-sdk; callbacks go out to a real HTTP sink on 127.0.0.1:0.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { request as undiciRequest } from 'undici';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { connectEmulator } from '../../src/control/client.js';
import { ControlInputError, type ControlMessage, type ControlOperations } from '../../src/control/operations.js';
import { controlRouteTable } from '../../src/control/routes.js';
import { JournalWaitTimeout, type JournalEntry } from '../../src/store/journal.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { rejection, CONTROL_CONNECTIONS } from '../helpers/harness.js';
import { startSink, type CallbackSink } from '../helpers/sink.js';

// Account A: its application calls back to a sink. Account B: no callback URL, so its events are journaled 'no-target'.
const ACCOUNT_A = '9902001';
const USER_A = 'ctl-user-a';
const PASS_A = 'ctl-password-a';
const APP_A = 'c7a1a000-0000-4000-8000-00000000000a';
const NUM_A1 = '+19195550200';
const NUM_A2 = '+19195550201';
const ACCOUNT_B = '9902002';
const USER_B = 'ctl-user-b';
const PASS_B = 'ctl-password-b';
const APP_B = 'c7a1b000-0000-4000-8000-00000000000b';
const NUM_B1 = '+19195550300';
// Ordinary recipients (not magic 555 numbers), a handset, a number nobody owns.
const TO1 = '+19195557101';
const TO2 = '+19195557102';
const TO3 = '+19195557103';
const TO4 = '+19195557104';
const TO5 = '+19195557105';
const HANDSET = '+19195559999';
const NOBODY = '+19195558888';
// Magic numbers: failed with 4720; delivered after 3600 s (a pending step that only flush or reset ends).
const FAIL_4720 = '+15551004720';
const AFTER_1H = '+15553003600';
const TOKEN = 'secret-token-1';
const WAIT = { timeoutMs: 5000 };

type Connect = (typeof CONTROL_CONNECTIONS)[number][1];

interface Fixture {
  running: RunningEmulator;
  ops: ControlOperations;
  sink: CallbackSink;
  apiA: MessagesApi;
  apiB: MessagesApi;
}

// ---- teardown: every emulator, sink and stream a test opens is closed after it, newest first ----
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const cleanup of pending) await cleanup();
});

function config(sinkUrl: string, overrides: ConfigFile = {}): ConfigFile {
  return {
    accounts: [
      {
        id: ACCOUNT_A,
        users: [{ username: USER_A, password: PASS_A }],
        applications: [{ id: APP_A, callbackUrl: sinkUrl }],
        numbers: [
          { number: NUM_A1, applicationId: APP_A },
          { number: NUM_A2, applicationId: APP_A },
        ],
      },
      {
        id: ACCOUNT_B,
        users: [{ username: USER_B, password: PASS_B }],
        applications: [{ id: APP_B }],
        numbers: [{ number: NUM_B1, applicationId: APP_B }],
      },
    ],
    callbacks: { deliveryDelay: '10ms', sendingDelay: '5ms', retryDelays: ['20ms'], timeout: '2s' },
    ...overrides,
  };
}

async function start(connect: Connect, overrides: ConfigFile = {}): Promise<Fixture> {
  const sink = await startSink();
  cleanups.push(() => sink.close());
  const running = await startEmulator(config(sink.url, overrides));
  cleanups.push(() => running.close());
  const apiA = new MessagesApi(new Configuration(running.sdkConfig));
  const apiB = new MessagesApi(new Configuration({ basePath: running.url, username: USER_B, password: PASS_B }));
  return { running, ops: connect(running), sink, apiA, apiB };
}

/** A create-message body; `to` is a Set in the SDK's types but goes on the wire as the array it is. */
function body(fields: { applicationId: string; to: string[]; from: string; text?: string; tag?: string }): MessageRequest {
  return {
    applicationId: fields.applicationId,
    to: fields.to as unknown as Set<string>,
    from: fields.from,
    text: fields.text ?? 'hello from the control API tests',
    ...(fields.tag !== undefined ? { tag: fields.tag } : {}),
  };
}

async function sendA(f: Fixture, to: string[], extra: { from?: string; tag?: string; text?: string } = {}): Promise<string> {
  const res = await f.apiA.createMessage(ACCOUNT_A, body({ applicationId: APP_A, to, from: extra.from ?? NUM_A1, text: extra.text, tag: extra.tag }));
  expect(res.status).toBe(202);
  return res.data.id!;
}

async function sendB(f: Fixture, to: string[], extra: { tag?: string } = {}): Promise<string> {
  const res = await f.apiB.createMessage(ACCOUNT_B, body({ applicationId: APP_B, to, from: NUM_B1, tag: extra.tag }));
  expect(res.status).toBe(202);
  return res.data.id!;
}

const ids = (list: Array<{ id: string }>) => list.map((m) => m.id).sort();
const sorted = (...values: string[]) => [...values].sort();
const scenarioNames = async (ops: ControlOperations) => (await ops.scenarios.list()).scenarios.map((s) => s.name).sort();
/** The Journal's pending waiters: proves a wait is in place before the event it waits for can happen. */
const waiters = (running: RunningEmulator) => (running.emulator.parts.journal as unknown as { waiters: Set<unknown> }).waiters.size;

describe.each(CONTROL_CONNECTIONS)('control operations through the %s', (_mode, connect) => {
  it('health: status ok, uptime, store sizes with their caps, callback books and pending steps', async () => {
    const f = await start(connect, { limits: { maxMessages: 321, maxJournalEntries: 654 } });
    const before = await f.ops.health();
    expect(before.status).toBe('ok');
    expect(before.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(before.messages).toEqual({ messages: 0, evicted: 0, cap: 321, held: 0 });
    expect(before.journal).toEqual({ entries: 0, evicted: 0, cap: 654 });
    expect(before.media).toMatchObject({ objects: 0, bytes: 0 });
    expect(before.callbacks).toEqual({ planned: 0, delivered: 0, pending: 0, exhausted: 0, noTarget: 0, notRequested: 0, dropped: 0, cancelled: 0 });
    expect(before.pendingSteps).toBe(0);
    expect(before.scenarioProblems).toEqual([]);

    const a = await sendA(f, [TO1]);
    const b = await sendB(f, [TO1]);
    const slow = await sendA(f, [AFTER_1H]);
    await f.running.callbacks.waitFor({ messageId: a, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: b, type: 'message-delivered', outcome: 'no-target' }, WAIT);

    const after = await f.ops.health();
    expect(after.status).toBe('ok');
    expect(after.messages).toEqual({ messages: 3, evicted: 0, cap: 321, held: 0 });
    expect(after.journal).toEqual({ entries: 2, evicted: 0, cap: 654 });
    expect(after.callbacks).toEqual({ planned: 2, delivered: 1, pending: 0, exhausted: 0, noTarget: 1, notRequested: 0, dropped: 0, cancelled: 0 });
    // The 1-hour receipt of `slow` is still scheduled.
    expect(after.pendingSteps).toBe(1);
    expect(await f.ops.callbacks.list({ messageId: slow })).toEqual([]);
  });

  it('messages.list: every filter (accountId, to, from, tag, direction, status, limit), newest first', async () => {
    const f = await start(connect);
    const m1 = await sendA(f, [TO1], { tag: 'alpha' });
    const m2 = await sendA(f, [TO2], { from: NUM_A2, tag: 'beta' });
    const m3 = await sendA(f, [FAIL_4720], { tag: 'gamma' });
    const m4 = await sendB(f, [TO1], { tag: 'alpha' });
    const [inbound] = await f.running.inbound({ from: HANDSET, to: [NUM_A1], text: 'hi there' });
    const inId = inbound!.id;
    await Promise.all([
      f.running.callbacks.waitFor({ messageId: m1, type: 'message-delivered' }, WAIT),
      f.running.callbacks.waitFor({ messageId: m2, type: 'message-delivered' }, WAIT),
      f.running.callbacks.waitFor({ messageId: m3, type: 'message-failed' }, WAIT),
      f.running.callbacks.waitFor({ messageId: m4, type: 'message-delivered' }, WAIT),
      f.running.callbacks.waitFor({ messageId: inId, type: 'message-received' }, WAIT),
    ]);
    const list = f.ops.messages.list;

    const all = await list();
    expect(ids(all)).toEqual(sorted(m1, m2, m3, m4, inId));
    // Newest first.
    const times = all.map((m) => Date.parse(m.time));
    expect(times).toEqual([...times].sort((x, y) => y - x));

    expect(ids(await list({ accountId: ACCOUNT_A }))).toEqual(sorted(m1, m2, m3, inId));
    expect(ids(await list({ accountId: ACCOUNT_B }))).toEqual([m4]);
    expect(await list({ accountId: '9999999' })).toEqual([]);
    expect(ids(await list({ to: TO1 }))).toEqual(sorted(m1, m4));
    expect(ids(await list({ to: TO2 }))).toEqual([m2]);
    expect(ids(await list({ from: NUM_A2 }))).toEqual([m2]);
    expect(ids(await list({ from: HANDSET }))).toEqual([inId]);
    expect(ids(await list({ tag: 'alpha' }))).toEqual(sorted(m1, m4));
    expect(ids(await list({ tag: 'beta' }))).toEqual([m2]);
    expect(ids(await list({ direction: 'in' }))).toEqual([inId]);
    expect(ids(await list({ direction: 'out' }))).toEqual(sorted(m1, m2, m3, m4));
    expect(ids(await list({ status: 'FAILED' }))).toEqual([m3]);
    expect(ids(await list({ status: 'DELIVERED' }))).toEqual(sorted(m1, m2, m4));
    expect(ids(await list({ status: 'RECEIVED' }))).toEqual([inId]);
    expect(await list({ status: 'QUEUED' })).toEqual([]);
    // Filters combine.
    expect(ids(await list({ accountId: ACCOUNT_A, tag: 'alpha' }))).toEqual([m1]);
    expect(ids(await list({ to: TO1, direction: 'out', status: 'DELIVERED', accountId: ACCOUNT_B }))).toEqual([m4]);
    expect(await list({ limit: 2 })).toHaveLength(2);

    const failed = (await list({ status: 'FAILED' }))[0]!;
    expect(failed).toMatchObject({ id: m3, accountId: ACCOUNT_A, direction: 'out', applicationId: APP_A, from: NUM_A1, to: [FAIL_4720], tag: 'gamma' });
    expect(failed.recipients).toEqual([{ to: FAIL_4720, status: 'FAILED', errorCode: 4720, updatedAt: expect.any(String) }]);
  });

  it('messages.list: newest first also among messages of the same millisecond; limit keeps the newest', async () => {
    const f = await start(connect);
    // Created in one synchronous run, so several share a millisecond.
    const made = Array.from({ length: 6 }, (_, i) => f.running.emulator.inbound({ from: HANDSET, to: [NUM_A1], text: `n${i}` })[0]!.id);
    const newestFirst = [...made].reverse();
    expect((await f.ops.messages.list()).map((m) => m.id)).toEqual(newestFirst);
    expect((await f.ops.messages.list({ accountId: ACCOUNT_A, direction: 'in' })).map((m) => m.id)).toEqual(newestFirst);
    expect((await f.ops.messages.list({ limit: 2 })).map((m) => m.id)).toEqual(newestFirst.slice(0, 2));
  });

  it('messages.get: the message with recipients and its timeline (accepted, planned, events); undefined for an unknown id', async () => {
    const f = await start(connect);
    const id = await sendA(f, [TO1, FAIL_4720], { tag: 'timeline', text: 'group hello' });
    await f.running.callbacks.waitFor({ messageId: id, recipient: TO1, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: id, recipient: FAIL_4720, type: 'message-failed' }, WAIT);

    const message = (await f.ops.messages.get(id)) as ControlMessage;
    expect(message).toBeDefined();
    expect(message).toMatchObject({ id, accountId: ACCOUNT_A, direction: 'out', applicationId: APP_A, owner: NUM_A1, from: NUM_A1, to: [TO1, FAIL_4720], text: 'group hello', tag: 'timeline', priority: 'default' });
    expect(Object.keys(message)).not.toContain('callbacks');
    expect(Number.isNaN(Date.parse(message.time))).toBe(false);
    expect(message.segmentCount).toBe(1);
    expect(message.recipients.map((r) => [r.to, r.status, r.errorCode])).toEqual([
      [TO1, 'DELIVERED', 0],
      [FAIL_4720, 'FAILED', 4720],
    ]);

    const what = message.timeline.map((t) => t.what);
    expect(what[0]).toBe('accepted');
    const planned = message.timeline.filter((t) => t.what === 'planned');
    expect(planned.map((t) => t.recipient).sort()).toEqual(sorted(TO1, FAIL_4720));
    expect(String(planned.find((t) => t.recipient === TO1)!.detail!.explanation)).toContain('default outcome');
    expect(String(planned.find((t) => t.recipient === FAIL_4720)!.detail!.explanation)).toContain('magic number');
    // A group is MMS: message-sending, then the final event, per recipient.
    expect(message.timeline.filter((t) => t.recipient === TO1 && t.what.startsWith('message-')).map((t) => t.what)).toEqual(['message-sending', 'message-delivered']);
    expect(message.timeline.find((t) => t.what === 'message-failed')).toMatchObject({ recipient: FAIL_4720, detail: { errorCode: 4720 } });
    for (const entry of message.timeline) expect(Number.isNaN(Date.parse(entry.at))).toBe(false);

    expect(await f.ops.messages.get('no-such-message-id')).toBeUndefined();
  });

  it('callbacks.list: filters by messageId, type, outcome, recipient, accountId, afterSeq', async () => {
    const f = await start(connect);
    const sms = await sendA(f, [TO1]);
    const failed = await sendA(f, [FAIL_4720]);
    const group = await sendA(f, [TO2, TO3]);
    const other = await sendB(f, [TO2]);
    await Promise.all([
      f.running.callbacks.waitFor({ messageId: sms, type: 'message-delivered' }, WAIT),
      f.running.callbacks.waitFor({ messageId: failed, type: 'message-failed' }, WAIT),
      // Each attempt is journaled when it completes: a slow message-sending POST can land after message-delivered.
      ...[TO2, TO3].flatMap((to) => ['message-sending', 'message-delivered'].map((type) => f.running.callbacks.waitFor({ messageId: group, recipient: to, type }, WAIT))),
      f.running.callbacks.waitFor({ messageId: other, type: 'message-delivered' }, WAIT),
    ]);
    const list = f.ops.callbacks.list;

    const all = await list();
    // sms 1, failed 1, group 2 x (sending + delivered), other 1.
    expect(all).toHaveLength(7);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));

    const ofSms = await list({ messageId: sms });
    expect(ofSms).toHaveLength(1);
    expect(ofSms[0]).toMatchObject({ messageId: sms, accountId: ACCOUNT_A, applicationId: APP_A, type: 'message-delivered', recipient: TO1, target: f.sink.url, attempt: 1, outcome: 'delivered', response: { status: 200 } });
    expect((ofSms[0]!.request.body[0] as { message: { id: string } }).message.id).toBe(sms);

    const failures = await list({ type: 'message-failed' });
    expect(failures.map((e) => [e.messageId, e.recipient])).toEqual([[failed, FAIL_4720]]);
    expect((failures[0]!.request.body[0] as { errorCode: number }).errorCode).toBe(4720);

    expect((await list({ type: 'message-sending' })).map((e) => e.messageId)).toEqual([group, group]);
    expect((await list({ outcome: 'no-target' })).map((e) => e.messageId)).toEqual([other]);
    expect((await list({ outcome: 'delivered' })).every((e) => e.accountId === ACCOUNT_A)).toBe(true);
    expect(await list({ outcome: 'delivered' })).toHaveLength(6);
    expect(await list({ outcome: 'exhausted' })).toEqual([]);

    const toTo2 = await list({ recipient: TO2 });
    expect(toTo2.map((e) => [e.messageId, e.type])).toEqual(
      expect.arrayContaining([
        [group, 'message-sending'],
        [group, 'message-delivered'],
        [other, 'message-delivered'],
      ]),
    );
    expect(toTo2).toHaveLength(3);
    expect(await list({ recipient: TO2, accountId: ACCOUNT_A, type: 'message-delivered' })).toEqual([expect.objectContaining({ messageId: group, recipient: TO2 })]);
    expect((await list({ accountId: ACCOUNT_B })).map((e) => e.messageId)).toEqual([other]);
    expect(await list({ target: f.sink.url })).toHaveLength(6);

    const middle = all[3]!.seq;
    expect((await list({ afterSeq: middle })).map((e) => e.seq)).toEqual(all.slice(4).map((e) => e.seq));
  });

  it('callbacks.waitFor: resolves with the entry of a message sent after the wait started', async () => {
    const f = await start(connect);
    const waiting = f.ops.callbacks.waitFor({ accountId: ACCOUNT_A, recipient: TO4, type: 'message-delivered' }, WAIT);
    // The wait is registered (over HTTP: the long-poll reached the emulator) before anything is sent.
    await vi.waitFor(() => expect(waiters(f.running)).toBe(1), { timeout: 3000, interval: 5 });
    expect(await f.running.callbacks.list()).toEqual([]);

    const id = await sendA(f, [TO4]);
    const entry = await waiting;
    expect(entry).toMatchObject({ messageId: id, accountId: ACCOUNT_A, recipient: TO4, type: 'message-delivered', outcome: 'delivered', attempt: 1 });
    expect(f.sink.requests.map((r) => (r.body as Array<{ message: { id: string } }>)[0]!.message.id)).toEqual([id]);
    expect(waiters(f.running)).toBe(0);

    // An entry already in the journal answers at once.
    expect(await f.ops.callbacks.waitFor({ messageId: id }, { timeoutMs: 100 })).toEqual(entry);
  });

  it('callbacks.waitFor: a timeout rejects with JournalWaitTimeout saying what the journal held', async () => {
    const f = await start(connect);
    const id = await sendA(f, [TO1]);
    const delivered = await f.running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT);

    const error = await rejection(f.ops.callbacks.waitFor({ accountId: ACCOUNT_A, type: 'message-failed' }, { timeoutMs: 250 }));
    expect(error).toBeInstanceOf(JournalWaitTimeout);
    const timeout = error as JournalWaitTimeout;
    expect(timeout.name).toBe('JournalWaitTimeout');
    expect(timeout.waitedMs).toBe(250);
    expect(timeout.filter).toMatchObject({ accountId: ACCOUNT_A, type: 'message-failed' });
    expect(timeout.seen).toEqual([delivered]);
    expect(timeout.message).toContain('no callback matching');
    expect(timeout.message).toContain('"type":"message-failed"');
    expect(timeout.message).toContain('within 250 ms');
    expect(timeout.message).toContain(`the journal has 1 entry for account ${ACCOUNT_A}`);
    expect(timeout.message).toContain(`#${delivered.seq} message-delivered to ${TO1} attempt 1 delivered (HTTP 200)`);
    expect(waiters(f.running)).toBe(0);

    // An empty journal says so.
    const empty = (await rejection(f.ops.callbacks.waitFor({ accountId: ACCOUNT_B }, { timeoutMs: 50 }))) as JournalWaitTimeout;
    expect(empty).toBeInstanceOf(JournalWaitTimeout);
    expect(empty.seen).toEqual([]);
    expect(empty.message).toContain(`the journal has 0 entries for account ${ACCOUNT_B}: none`);
  });

  it('inbound: one message-received copy per owned recipient, routed to its account; none owned is a ControlInputError', async () => {
    const f = await start(connect);
    const copies = await f.ops.inbound({ from: HANDSET, to: [NUM_A1, NUM_A2, NUM_B1, NOBODY], text: 'hello numbers' });
    expect(copies.map((c) => [c.accountId, c.owner, c.applicationId])).toEqual([
      [ACCOUNT_A, NUM_A1, APP_A],
      [ACCOUNT_A, NUM_A2, APP_A],
      [ACCOUNT_B, NUM_B1, APP_B],
    ]);
    expect(new Set(copies.map((c) => c.id)).size).toBe(3);
    for (const copy of copies) {
      expect(copy).toMatchObject({ direction: 'in', from: HANDSET, to: [NUM_A1, NUM_A2, NUM_B1, NOBODY], text: 'hello numbers' });
      expect(copy.recipients).toEqual([{ to: copy.owner, status: 'RECEIVED', errorCode: 0, updatedAt: expect.any(String) }]);
      expect(copy.timeline[0]!.what).toBe('received');
    }
    const [a1, a2, b1] = copies as [ControlMessage, ControlMessage, ControlMessage];
    const e1 = await f.running.callbacks.waitFor({ messageId: a1.id, type: 'message-received', outcome: 'delivered' }, WAIT);
    const e2 = await f.running.callbacks.waitFor({ messageId: a2.id, type: 'message-received', outcome: 'delivered' }, WAIT);
    const e3 = await f.running.callbacks.waitFor({ messageId: b1.id, type: 'message-received', outcome: 'no-target' }, WAIT);
    expect([e1.recipient, e2.recipient, e3.recipient]).toEqual([NUM_A1, NUM_A2, NUM_B1]);
    const received = f.sink.requests.map((r) => (r.body as Array<{ type: string; to: string; message: { id: string; text: string } }>)[0]!);
    expect(received.map((e) => [e.type, e.to, e.message.id, e.message.text]).sort()).toEqual(
      [
        ['message-received', NUM_A1, a1.id, 'hello numbers'],
        ['message-received', NUM_A2, a2.id, 'hello numbers'],
      ].sort(),
    );
    expect((await f.ops.messages.get(a1.id))!.timeline.map((t) => t.what)).toEqual(['received', 'message-received']);

    // accountId narrows the routing to one account.
    const onlyB = await f.ops.inbound({ from: HANDSET, to: [NUM_A1, NUM_B1], text: 'b only', accountId: ACCOUNT_B });
    expect(onlyB.map((c) => [c.accountId, c.owner])).toEqual([[ACCOUNT_B, NUM_B1]]);

    const error = await rejection(f.ops.inbound({ from: HANDSET, to: [NOBODY], text: 'anyone?' }));
    expect(error).toBeInstanceOf(ControlInputError);
    expect((error as ControlInputError).message).toContain(NOBODY);
    expect(await f.ops.messages.list({ direction: 'in' })).toHaveLength(4);
  });

  it('scenarios.use / list: explain lines, scope, hit counts that rise after a matching send', async () => {
    const f = await start(connect);
    const summary = await f.ops.scenarios.use(
      { version: 1, name: 'ctl-reject-to5', seed: 3, rules: [{ name: 'TO5 rejected', match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] },
      { accountId: ACCOUNT_A },
    );
    expect(summary).toMatchObject({ name: 'ctl-reject-to5', scope: ACCOUNT_A, seed: 3, rules: [{ id: 'ctl-reject-to5#0', name: 'TO5 rejected', hits: 0 }] });
    expect(summary.source).toContain(ACCOUNT_A);
    expect(summary.rules[0]!.explain).toContain("'TO5 rejected'");
    expect(summary.rules[0]!.explain).toContain(TO5);
    expect(summary.rules[0]!.explain).toContain('message-failed 4720');
    expect(summary.rules[0]!.explain).toContain('(0 hits)');

    const listed = async () => (await f.ops.scenarios.list()).scenarios.find((s) => s.name === 'ctl-reject-to5')!;
    const first = await f.ops.scenarios.list();
    expect(first.problems).toEqual([]);
    expect(first.scenarios).toHaveLength(1);
    expect(await listed()).toEqual(summary);

    const id = await sendA(f, [TO5]);
    const failed = await f.running.callbacks.waitFor({ messageId: id, type: 'message-failed' }, WAIT);
    expect((failed.request.body[0] as { errorCode: number }).errorCode).toBe(4720);
    expect(String((await f.ops.messages.get(id))!.timeline.find((t) => t.what === 'planned')!.detail!.explanation)).toContain("matched ctl-reject-to5#0 'TO5 rejected'");
    let rule = (await listed()).rules[0]!;
    expect(rule.hits).toBe(1);
    expect(rule.explain).toContain('(1 hits)');

    // Not a match (another recipient, or another account's message): the count stays.
    const plain = await sendA(f, [TO1]);
    const otherAccount = await sendB(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: plain, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: otherAccount, type: 'message-delivered' }, WAIT);
    expect((await listed()).rules[0]!.hits).toBe(1);

    const again = await sendA(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: again, type: 'message-failed' }, WAIT);
    rule = (await listed()).rules[0]!;
    expect(rule.hits).toBe(2);
    expect(rule.explain).toContain('(2 hits)');

    // Same name replaces, hit counts start again.
    const replaced = await f.ops.scenarios.use({ version: 1, name: 'ctl-reject-to5', rules: [{ name: 'TO5 delivered late', match: { to: TO5 }, events: [{ type: 'message-delivered', after: '20ms' }] }] }, { accountId: ACCOUNT_A });
    expect(replaced.rules.map((r) => [r.name, r.hits])).toEqual([['TO5 delivered late', 0]]);
    expect((await f.ops.scenarios.list()).scenarios).toHaveLength(1);
  });

  it('scenarios.clear: by name within a scope, by account, global by name, then everything', async () => {
    const f = await start(connect);
    const rejectTo5 = (name: string) => ({ version: 1, name, rules: [{ name: `${name} rule`, match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] });
    await f.ops.scenarios.use(rejectTo5('s-a1'), { accountId: ACCOUNT_A });
    await f.ops.scenarios.use(rejectTo5('s-a2'), { accountId: ACCOUNT_A });
    await f.ops.scenarios.use(rejectTo5('s-b'), { accountId: ACCOUNT_B });
    await f.ops.scenarios.use(rejectTo5('s-all'));
    const scopes = Object.fromEntries((await f.ops.scenarios.list()).scenarios.map((s) => [s.name, s.scope]));
    expect(scopes).toEqual({ 's-a1': ACCOUNT_A, 's-a2': ACCOUNT_A, 's-b': ACCOUNT_B, 's-all': '*' });

    await f.ops.scenarios.clear({ accountId: ACCOUNT_A, name: 's-a1' });
    expect(await scenarioNames(f.ops)).toEqual(['s-a2', 's-all', 's-b']);
    // A name in another scope is not touched.
    await f.ops.scenarios.clear({ accountId: ACCOUNT_B, name: 's-a2' });
    expect(await scenarioNames(f.ops)).toEqual(['s-a2', 's-all', 's-b']);

    await f.ops.scenarios.clear({ accountId: ACCOUNT_A });
    expect(await scenarioNames(f.ops)).toEqual(['s-all', 's-b']);

    // Account A's messages to TO5 still fail through the global scenario; once it is cleared they are delivered.
    const before = await sendA(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: before, type: 'message-failed' }, WAIT);
    await f.ops.scenarios.clear({ name: 's-all' });
    expect(await scenarioNames(f.ops)).toEqual(['s-b']);
    const after = await sendA(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: after, type: 'message-delivered' }, WAIT);
    // B's own scenario still applies to B.
    const ofB = await sendB(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: ofB, type: 'message-failed' }, WAIT);

    await f.ops.scenarios.clear();
    expect((await f.ops.scenarios.list()).scenarios).toEqual([]);
  });

  it('scenarios.trigger: a manual inbound arrives only when triggered, all or by name', async () => {
    const f = await start(connect);
    await f.ops.scenarios.use({
      version: 1,
      name: 'ctl-handset',
      inbound: [
        { name: 'hello', trigger: 'manual', from: HANDSET, to: [NUM_A1], text: 'HELP' },
        { name: 'bye', trigger: 'manual', from: HANDSET, to: [NUM_A2], text: 'BYE' },
      ],
    });
    expect(await f.ops.messages.list({ direction: 'in' })).toEqual([]);

    expect(await f.ops.scenarios.trigger('ctl-handset', 'hello')).toEqual({ scheduled: 1 });
    const hello = await f.running.callbacks.waitFor({ type: 'message-received', recipient: NUM_A1, outcome: 'delivered' }, WAIT);
    expect((hello.request.body[0] as { message: { text: string; from: string } }).message).toMatchObject({ text: 'HELP', from: HANDSET });
    expect((await f.ops.messages.list({ direction: 'in' })).map((m) => [m.owner, m.text])).toEqual([[NUM_A1, 'HELP']]);

    expect(await f.ops.scenarios.trigger('ctl-handset')).toEqual({ scheduled: 2 });
    await f.running.callbacks.waitFor({ type: 'message-received', recipient: NUM_A2, outcome: 'delivered' }, WAIT);
    await vi.waitFor(async () => expect(await f.ops.callbacks.list({ type: 'message-received', recipient: NUM_A1 })).toHaveLength(2), { timeout: 3000 });
    expect((await f.ops.messages.list({ direction: 'in' })).map((m) => m.text).sort()).toEqual(['BYE', 'HELP', 'HELP']);

    expect(await f.ops.scenarios.trigger('ctl-handset', 'no-such-inbound')).toEqual({ scheduled: 0 });
    expect(await f.ops.scenarios.trigger('no-such-scenario')).toEqual({ scheduled: 0 });
  });

  it('scenarios.use: an invalid scenario is a ControlInputError whose problems name the field, and is not added', async () => {
    const f = await start(connect);
    const bad = await rejection(
      f.ops.scenarios.use({ version: 1, name: 'ctl-bad', rules: [{ name: 'bad code', match: { to: TO1 }, events: [{ type: 'message-failed', errorCode: 4999 }] }] }),
    );
    expect(bad).toBeInstanceOf(ControlInputError);
    const problems = (bad as ControlInputError).problems;
    expect(problems).toEqual([expect.objectContaining({ field: 'rules[0].events[0].errorCode', problem: expect.stringContaining('4999'), fix: expect.stringContaining('4720') })]);

    const wrongVersion = (await rejection(f.ops.scenarios.use({ version: 2, rules: [] }))) as ControlInputError;
    expect(wrongVersion).toBeInstanceOf(ControlInputError);
    expect(wrongVersion.problems.map((p) => p.field)).toContain('version');

    expect((await f.ops.scenarios.list()).scenarios).toEqual([]);
    // The default still applies.
    const id = await sendA(f, [TO1]);
    await f.running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT);
  });

  it('reset(): forgets every message, journal entry, pending step and run-time scenario', async () => {
    const f = await start(connect);
    const a = await sendA(f, [TO1]);
    const b = await sendB(f, [TO1]);
    await sendA(f, [AFTER_1H]);
    await f.ops.inbound({ from: HANDSET, to: [NUM_A1], text: 'in' });
    await f.ops.scenarios.use({ version: 1, name: 'ctl-global', rules: [{ match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] });
    await f.ops.scenarios.use({ version: 1, name: 'ctl-b', rules: [{ match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] }, { accountId: ACCOUNT_B });
    await f.running.callbacks.waitFor({ messageId: a, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: b, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ type: 'message-received' }, WAIT);
    expect(await f.ops.messages.list()).toHaveLength(4);
    expect((await f.ops.time.get()).pending).toBe(1);

    await f.ops.reset();
    expect(await f.ops.messages.list()).toEqual([]);
    expect(await f.ops.messages.get(a)).toBeUndefined();
    expect(await f.ops.callbacks.list()).toEqual([]);
    expect((await f.ops.scenarios.list()).scenarios).toEqual([]);
    const health = await f.ops.health();
    expect(health.messages.messages).toBe(0);
    expect(health.journal.entries).toBe(0);
    expect(health.pendingSteps).toBe(0);
    expect((await f.ops.time.get()).pending).toBe(0);
    // The cancelled 1-hour receipt never comes, even when time is flushed.
    expect(await f.ops.time.flush()).toEqual({ ran: 0 });
    expect(await f.ops.callbacks.list()).toEqual([]);

    // It keeps working afterwards, and TO5 is back to the default outcome.
    const next = await sendA(f, [TO5]);
    await f.running.callbacks.waitFor({ messageId: next, type: 'message-delivered' }, WAIT);
    expect(ids(await f.ops.messages.list())).toEqual([next]);
  });

  it('reset(accountId): clears only that account (messages, journal, pending steps, its scenarios)', async () => {
    const f = await start(connect);
    const a = await sendA(f, [TO1]);
    const b = await sendB(f, [TO1]);
    const aSlow = await sendA(f, [AFTER_1H]);
    const bSlow = await sendB(f, [AFTER_1H]);
    const [bIn] = await f.ops.inbound({ from: HANDSET, to: [NUM_B1], text: 'for b' });
    await f.ops.scenarios.use({ version: 1, name: 'ctl-a', rules: [{ match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] }, { accountId: ACCOUNT_A });
    await f.ops.scenarios.use({ version: 1, name: 'ctl-b', rules: [{ match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] }, { accountId: ACCOUNT_B });
    await f.ops.scenarios.use({ version: 1, name: 'ctl-global', rules: [{ match: { to: TO4 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] });
    await f.running.callbacks.waitFor({ messageId: a, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: b, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: bIn!.id, type: 'message-received' }, WAIT);
    const journalB = await f.ops.callbacks.list({ accountId: ACCOUNT_B });
    expect(journalB).toHaveLength(2);
    expect((await f.ops.time.get()).pending).toBe(2);

    await f.ops.reset(ACCOUNT_A);
    expect(await f.ops.messages.list({ accountId: ACCOUNT_A })).toEqual([]);
    expect(await f.ops.messages.get(a)).toBeUndefined();
    expect(await f.ops.callbacks.list({ accountId: ACCOUNT_A })).toEqual([]);
    expect(ids(await f.ops.messages.list())).toEqual(sorted(b, bSlow, bIn!.id));
    expect(await f.ops.callbacks.list()).toEqual(journalB);
    expect(await scenarioNames(f.ops)).toEqual(['ctl-b', 'ctl-global']);
    // Only B's 1-hour receipt is still pending; flushing delivers it and nothing of A.
    expect((await f.ops.time.get()).pending).toBe(1);
    expect((await f.ops.time.flush()).ran).toBe(1);
    await f.running.callbacks.waitFor({ messageId: bSlow, type: 'message-delivered' }, WAIT);
    expect(await f.ops.callbacks.list({ messageId: aSlow })).toEqual([]);
    expect(await f.ops.callbacks.list({ accountId: ACCOUNT_A })).toEqual([]);
  });

  it('time.get / setScale / flush: a 1h delivery happens only after flush; scale applies to new delays', async () => {
    const f = await start(connect, { callbacks: { deliveryDelay: '1h', sendingDelay: '5ms', retryDelays: ['20ms'], timeout: '2s' } });
    const clock = await f.ops.time.get();
    expect(clock.scale).toBe(1);
    expect(clock.pending).toBe(0);
    expect(Math.abs(Date.parse(clock.now) - Date.now())).toBeLessThan(5000);

    const id = await sendA(f, [TO1]);
    expect((await f.ops.time.get()).pending).toBe(1);
    // Nothing within a bounded wait: the receipt is an hour away.
    const early = await rejection(f.ops.callbacks.waitFor({ messageId: id }, { timeoutMs: 200 }));
    expect(early).toBeInstanceOf(JournalWaitTimeout);
    expect((await f.ops.messages.get(id))!.recipients[0]!.status).toBe('QUEUED');

    expect(await f.ops.time.flush()).toEqual({ ran: 1 });
    const delivered = await f.ops.callbacks.waitFor({ messageId: id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect(delivered.recipient).toBe(TO1);
    expect(f.sink.requests).toHaveLength(1);
    expect((await f.ops.messages.get(id))!.recipients[0]!.status).toBe('DELIVERED');
    expect((await f.ops.time.get()).pending).toBe(0);
    expect(await f.ops.time.flush()).toEqual({ ran: 0 });

    expect(await f.ops.time.setScale(0.5)).toEqual({ scale: 0.5 });
    expect((await f.ops.time.get()).scale).toBe(0.5);
    // Scale 0: the one-hour delay of a new message fires on the next tick.
    expect(await f.ops.time.setScale(0)).toEqual({ scale: 0 });
    const fast = await sendA(f, [TO2]);
    await f.ops.callbacks.waitFor({ messageId: fast, type: 'message-delivered', outcome: 'delivered' }, WAIT);

    const bad = await rejection(f.ops.time.setScale(-1));
    expect(bad).toBeInstanceOf(ControlInputError);
    expect((await f.ops.time.get()).scale).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// What only the HTTP surface has.

async function startHttp(overrides: ConfigFile = {}): Promise<Fixture> {
  return start((running) => connectEmulator(running.url), overrides);
}

async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

interface SseFrame {
  id?: string;
  event?: string;
  data?: unknown;
}

/** Read SSE frames from an open stream until `done` holds; bounded by `timeoutMs`, then the stream is aborted. */
async function readFrames(body: AsyncIterable<Buffer>, abort: AbortController, done: (frames: SseFrame[]) => boolean, timeoutMs = 5000): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame: SseFrame = {};
        for (const line of raw.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') frame.id = value;
          else if (field === 'event') frame.event = value;
          else if (field === 'data') frame.data = JSON.parse(value);
        }
        if (frame.event) frames.push(frame);
      }
      if (done(frames)) return frames;
    }
    throw new Error('the event stream ended early');
  } catch (error) {
    if (timedOut) throw new Error(`no matching SSE frames within ${timeoutMs} ms; got ${JSON.stringify(frames.map((f) => f.event))}`);
    throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

describe('control API over HTTP only', () => {
  it('GET /__emulator/ready answers 200, outside Bandwidth Basic auth (none, or wrong credentials)', async () => {
    const f = await startHttp();
    expect(await getJson(`${f.running.url}/__emulator/ready`)).toEqual({ status: 200, body: { ready: true } });
    const wrongBasic = { authorization: 'Basic ' + Buffer.from('nobody:wrong').toString('base64') };
    expect((await getJson(`${f.running.url}/__emulator/ready`, { headers: wrongBasic })).status).toBe(200);
    const health = await getJson(`${f.running.url}/__emulator/health`, { headers: wrongBasic });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    // While Bandwidth's own routes do want Basic auth.
    expect((await getJson(`${f.running.url}/users/${ACCOUNT_A}/messages?messageId=x`)).status).toBe(401);
  });

  it('GET /__emulator/openapi.json: an OpenAPI 3.0.3 document with a path for every route the table registers', async () => {
    const f = await startHttp();
    const { status, body: doc } = await getJson(`${f.running.url}/__emulator/openapi.json`);
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.0.3');
    const info = doc.info as { title: string; version: string };
    expect(typeof info.title).toBe('string');
    expect(typeof info.version).toBe('string');
    const paths = doc.paths as Record<string, Record<string, { summary: string; operationId: string; parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>>;

    const table = controlRouteTable(f.running, f.running.emulator);
    expect(table.length).toBeGreaterThanOrEqual(18);
    const documented = new Set<string>();
    for (const route of table) {
      const path = '/__emulator' + route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path} is documented`).toBeDefined();
      expect(operation!.summary).toBe(route.summary);
      expect(Object.keys(operation!.responses).some((code) => /^2\d\d$/.test(code)), `${route.method} ${path} has a 2xx response`).toBe(true);
      for (const [, name] of route.url.matchAll(/:([A-Za-z]+)/g)) {
        expect(operation!.parameters, `${route.method} ${path} declares {${name}}`).toContainEqual(expect.objectContaining({ name, in: 'path' }));
      }
      for (const name of Object.keys(route.querystring?.properties ?? {})) {
        expect(operation!.parameters).toContainEqual(expect.objectContaining({ name, in: 'query' }));
      }
      documented.add(`${route.method.toLowerCase()} ${path}`);
    }
    // Nothing documented that the table does not register, but for the two fixed extras.
    const all = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    expect(all.filter((op) => !documented.has(op)).sort()).toEqual(['get /__emulator/metrics', 'get /__emulator/openapi.json']);
    const operationIds = Object.values(paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(new Set(operationIds).size).toBe(operationIds.length);

    // Every documented operation is really served, with the success status the document gives it.
    const [copy] = await f.running.inbound({ from: HANDSET, to: [NUM_A1], text: 'for the document' });
    const inFlight = await sendA(f, [AFTER_1H]);
    const calls: Record<string, { path: string; body?: unknown }> = {
      'get /__emulator/messages/{id}': { path: `/__emulator/messages/${copy!.id}` },
      'post /__emulator/messages/{id}/carrier': { path: `/__emulator/messages/${inFlight}/carrier`, body: { action: 'deliver' } },
      'post /__emulator/inbound': { path: '/__emulator/inbound', body: { from: HANDSET, to: [NUM_A2], text: 'x' } },
      'post /__emulator/scenarios': { path: '/__emulator/scenarios', body: { version: 1, name: 'doc' } },
      'put /__emulator/scenarios/{name}': { path: '/__emulator/scenarios/doc', body: { version: 1 } },
      'post /__emulator/scenarios/{name}/trigger': { path: '/__emulator/scenarios/doc/trigger', body: {} },
      'delete /__emulator/scenarios/{name}': { path: '/__emulator/scenarios/doc' },
      'put /__emulator/time': { path: '/__emulator/time', body: { scale: 1 } },
      'delete /__emulator/accounts/{accountId}': { path: `/__emulator/accounts/${ACCOUNT_B}` },
      'post /__emulator/state': { path: '/__emulator/state', body: { kind: 'bandwidth-emulator-state', version: 1, messages: [], media: [], journal: [], scenarios: [] } },
    };
    // Destructive ones last.
    const order = (op: string) => (op.includes('reset') || op === 'delete /__emulator/scenarios' || op === 'post /__emulator/state' ? 1 : 0);
    for (const op of [...all].sort((x, y) => order(x) - order(y))) {
      const [method, path] = op.split(' ') as [string, string];
      if (path.endsWith('/events')) continue;
      const call = calls[op] ?? { path };
      expect(call.path.includes('{'), `${op} needs a concrete request in this test`).toBe(false);
      const res = await fetch(`${f.running.url}${call.path}`, {
        method: method.toUpperCase(),
        ...(call.body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(call.body) } : {}),
      });
      await res.arrayBuffer();
      const documentedCodes = Object.keys(paths[path]![method]!.responses).filter((code) => /^2\d\d$/.test(code));
      expect(documentedCodes, op).toEqual([String(res.status)]);
    }
  });

  it('errors: unknown route 404 not-found, bad query 400 bad-request, client-side ControlInputError', async () => {
    const f = await startHttp();
    const missing = await getJson(`${f.running.url}/__emulator/no-such-route`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not-found' });
    expect(String(missing.body.message)).toContain('openapi.json');
    expect((await getJson(`${f.running.url}/__emulator/health`, { method: 'DELETE' })).body).toMatchObject({ error: 'not-found' });
    const noMessage = await getJson(`${f.running.url}/__emulator/messages/not-an-id`);
    expect(noMessage.status).toBe(404);
    expect(noMessage.body).toMatchObject({ error: 'not-found' });

    for (const query of ['/messages?status=BOGUS', '/messages?direction=sideways', '/messages?limit=0', '/callbacks?outcome=maybe', '/callbacks?wait=soon', '/callbacks?wait=-5']) {
      const res = await getJson(`${f.running.url}/__emulator${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body, query).toMatchObject({ error: 'bad-request', message: expect.any(String) });
    }
    const badInbound = await getJson(`${f.running.url}/__emulator/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: 'not-e164', to: [NUM_A1] }) });
    expect(badInbound.status).toBe(400);
    expect(badInbound.body.error).toBe('bad-request');
    const badTime = await getJson(`${f.running.url}/__emulator/time`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scale: 'fast' }) });
    expect(badTime.status).toBe(400);

    const bad = await rejection(f.ops.messages.list({ status: 'BOGUS' as never }));
    expect(bad).toBeInstanceOf(ControlInputError);
  });

  it('GET /__emulator/callbacks?wait=: answers as soon as an entry matches, or 408 with what it saw', async () => {
    const f = await startHttp();
    const id = await sendA(f, [TO1]);
    const delivered = await f.running.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT);

    const started = Date.now();
    const timeout = await getJson(`${f.running.url}/__emulator/callbacks?wait=200&accountId=${ACCOUNT_A}&type=message-failed`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(timeout.status).toBe(408);
    expect(timeout.body).toMatchObject({ error: 'timeout', waitedMs: 200, filter: { accountId: ACCOUNT_A, type: 'message-failed' } });
    expect(String(timeout.body.message)).toContain('no callback matching');
    expect(timeout.body.seen).toEqual([JSON.parse(JSON.stringify(delivered))]);

    const nothing = await getJson(`${f.running.url}/__emulator/callbacks?wait=200&messageId=no-such-message`);
    expect(nothing.status).toBe(408);
    expect((nothing.body.seen as JournalEntry[]).map((e) => e.messageId)).toEqual([id]);

    const found = await getJson(`${f.running.url}/__emulator/callbacks?wait=2000&messageId=${id}`);
    expect(found.status).toBe(200);
    expect(found.body.entries).toEqual([JSON.parse(JSON.stringify(delivered))]);
    // Without wait, a plain listing: 200 even when empty.
    expect(await getJson(`${f.running.url}/__emulator/callbacks?messageId=no-such-message`)).toEqual({ status: 200, body: { entries: [] } });
  });

  it('control token: 401 without it, 200 with Bearer or X-Emulator-Token; connectEmulator(url, {token}); Bandwidth routes keep Bandwidth auth', async () => {
    const f = await startHttp({ control: { token: TOKEN } });
    const url = `${f.running.url}/__emulator`;
    for (const path of ['/health', '/ready', '/messages', '/openapi.json', '/no-such-route']) {
      const res = await getJson(`${url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.body, path).toMatchObject({ error: 'unauthorized' });
    }
    expect((await getJson(`${url}/health`, { headers: { authorization: 'Bearer wrong-token-1' } })).status).toBe(401);
    expect((await getJson(`${url}/health`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } })).status).toBe(401);
    expect((await getJson(`${url}/reset`, { method: 'POST' })).status).toBe(401);

    const ok = await getJson(`${url}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('ok');
    expect((await getJson(`${url}/ready`, { headers: { 'x-emulator-token': TOKEN } })).status).toBe(200);

    const withToken = connectEmulator(f.running.url, { token: TOKEN });
    expect((await withToken.health()).status).toBe('ok');
    const withoutToken = connectEmulator(f.running.url);
    await expect(withoutToken.health()).rejects.toThrow(/401/);

    // Bandwidth's API is unaffected: Basic credentials send a message, the control token is no Bandwidth credential.
    const id = await sendA(f, [TO1]);
    expect((await withToken.callbacks.waitFor({ messageId: id, type: 'message-delivered' }, WAIT)).outcome).toBe('delivered');
    const asToken = await getJson(`${f.running.url}/users/${ACCOUNT_A}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ applicationId: APP_A, to: [TO1], from: NUM_A1, text: 'x' }),
    });
    expect(asToken.status).toBe(401);
    expect(asToken.body.type).toBe('unauthorized');
    const wrongPassword = new MessagesApi(new Configuration({ basePath: f.running.url, username: USER_A, password: 'wrong' }));
    await expect(wrongPassword.createMessage(ACCOUNT_A, body({ applicationId: APP_A, to: [TO1], from: NUM_A1 }))).rejects.toMatchObject({ response: { status: 401 } });
    expect((await withToken.messages.list()).map((m) => m.id)).toEqual([id]);
  });

  it('GET /__emulator/events: SSE frames for a message and its callback; ?accountId= filters', async () => {
    const f = await startHttp();
    const all = new AbortController();
    const onlyB = new AbortController();
    cleanups.push(() => all.abort(), () => onlyB.abort());
    const stream = await undiciRequest(`${f.running.url}/__emulator/events`, { signal: all.signal });
    expect(stream.statusCode).toBe(200);
    expect(String(stream.headers['content-type'])).toContain('text/event-stream');
    const streamB = await undiciRequest(`${f.running.url}/__emulator/events?accountId=${ACCOUNT_B}`, { signal: onlyB.signal });
    expect(streamB.statusCode).toBe(200);

    let id = '';
    const forMessage = (frames: SseFrame[]) =>
      frames.some((fr) => fr.event === 'callback' && (fr.data as JournalEntry).messageId === id && (fr.data as JournalEntry).type === 'message-delivered');
    const reading = readFrames(stream.body, all, (frames) => id !== '' && forMessage(frames));
    const readingB = readFrames(streamB.body, onlyB, (frames) => frames.some((fr) => fr.event === 'callback'));
    const idA = await sendA(f, [TO1]);
    const idB = await sendB(f, [TO2]);
    id = idA;
    const frames = await reading;

    const messageFrames = frames.filter((fr) => fr.event === 'message' && (fr.data as { message: ControlMessage }).message.id === idA);
    expect(messageFrames.map((fr) => (fr.data as { kind: string }).kind)).toEqual(['added', 'status']);
    const added = messageFrames[0]!.data as { kind: string; message: ControlMessage };
    expect(added.message).toMatchObject({ id: idA, accountId: ACCOUNT_A, direction: 'out', to: [TO1], from: NUM_A1 });
    expect(messageFrames[1]!.data).toMatchObject({ kind: 'status', recipient: TO1, message: { id: idA, recipients: [{ to: TO1, status: 'DELIVERED' }] } });
    const callback = frames.find((fr) => fr.event === 'callback' && (fr.data as JournalEntry).messageId === idA)!;
    expect(callback.data).toMatchObject({ messageId: idA, accountId: ACCOUNT_A, type: 'message-delivered', recipient: TO1, outcome: 'delivered' });
    expect(callback.id).toMatch(/^\d+$/);

    const framesB = await readingB;
    expect(framesB.length).toBeGreaterThan(0);
    for (const frame of framesB) {
      const data = frame.data as { message?: ControlMessage; accountId?: string };
      expect(data.message?.accountId ?? data.accountId).toBe(ACCOUNT_B);
    }
    expect(framesB.find((fr) => fr.event === 'callback')!.data).toMatchObject({ messageId: idB, outcome: 'no-target' });
  });

  it('routes the client does not wrap: GET /messages/{id} with callbacks, PUT /scenarios/{name}, DELETE /accounts/{id}, /metrics', async () => {
    const f = await startHttp();
    const a = await sendA(f, [TO1]);
    const b = await sendB(f, [TO1]);
    const entry = await f.running.callbacks.waitFor({ messageId: a, type: 'message-delivered' }, WAIT);
    await f.running.callbacks.waitFor({ messageId: b, type: 'message-delivered' }, WAIT);

    const one = await getJson(`${f.running.url}/__emulator/messages/${a}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: a, accountId: ACCOUNT_A });
    expect(one.body.callbacks).toEqual([JSON.parse(JSON.stringify(entry))]);

    const put = await getJson(`${f.running.url}/__emulator/scenarios/ctl-put?accountId=${ACCOUNT_A}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, name: 'ignored', rules: [{ name: 'r', match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] }),
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'ctl-put', scope: ACCOUNT_A });
    expect(await scenarioNames(f.ops)).toEqual(['ctl-put']);
    const created = await getJson(`${f.running.url}/__emulator/scenarios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: 1, name: 'ctl-post', rules: [] }) });
    expect(created.status).toBe(201);

    const del = await fetch(`${f.running.url}/__emulator/accounts/${ACCOUNT_A}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(ids(await f.ops.messages.list())).toEqual([b]);
    expect(await f.ops.callbacks.list({ accountId: ACCOUNT_A })).toEqual([]);
    expect(await scenarioNames(f.ops)).toEqual(['ctl-post']);

    const reset = await fetch(`${f.running.url}/__emulator/reset?accountId=${ACCOUNT_B}`, { method: 'POST' });
    expect(reset.status).toBe(204);
    expect(await f.ops.messages.list()).toEqual([]);

    const metrics = await fetch(`${f.running.url}/__emulator/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect((await metrics.text()).length).toBeGreaterThan(0);
  });
});
