// The control API end to end, asserted identically in-process (startEmulator's own operations) and over HTTP
// (connectEmulator(url)): health, messages (list, get), the callback journal (list, waitFor) and inbound messages.
// Messages go in through the official bandwidth-sdk; callbacks go out to a real HTTP sink on 127.0.0.1:0.
import { describe, expect, it, vi } from 'vitest';
import { ControlInputError, type ControlMessage } from '../../src/control/operations.js';
import { JournalWaitTimeout } from '../../src/store/journal.js';
import { CONTROL_CONNECTIONS, rejection } from '../helpers/harness.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  AFTER_1H,
  APP_A,
  APP_B,
  FAIL_4720,
  HANDSET,
  ids,
  NOBODY,
  NUM_A1,
  NUM_A2,
  NUM_B1,
  sendA,
  sendB,
  sorted,
  TO1,
  TO2,
  TO3,
  TO4,
  useControlApi,
  WAIT,
  waiters,
} from '../helpers/control-api.js';

const { start } = useControlApi();

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
    expect(message).toMatchObject({
      id,
      accountId: ACCOUNT_A,
      direction: 'out',
      applicationId: APP_A,
      owner: NUM_A1,
      from: NUM_A1,
      to: [TO1, FAIL_4720],
      text: 'group hello',
      tag: 'timeline',
      priority: 'default',
    });
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
    expect(message.timeline.filter((t) => t.recipient === TO1 && t.what.startsWith('message-')).map((t) => t.what)).toEqual([
      'message-sending',
      'message-delivered',
    ]);
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
      ...[TO2, TO3].flatMap((to) =>
        ['message-sending', 'message-delivered'].map((type) => f.running.callbacks.waitFor({ messageId: group, recipient: to, type }, WAIT)),
      ),
      f.running.callbacks.waitFor({ messageId: other, type: 'message-delivered' }, WAIT),
    ]);
    const list = f.ops.callbacks.list;

    const all = await list();
    // sms 1, failed 1, group 2 x (sending + delivered), other 1.
    expect(all).toHaveLength(7);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((x, y) => x - y));

    const ofSms = await list({ messageId: sms });
    expect(ofSms).toHaveLength(1);
    expect(ofSms[0]).toMatchObject({
      messageId: sms,
      accountId: ACCOUNT_A,
      applicationId: APP_A,
      type: 'message-delivered',
      recipient: TO1,
      target: f.sink.url,
      attempt: 1,
      outcome: 'delivered',
      response: { status: 200 },
    });
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
    expect(await list({ recipient: TO2, accountId: ACCOUNT_A, type: 'message-delivered' })).toEqual([
      expect.objectContaining({ messageId: group, recipient: TO2 }),
    ]);
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
});
