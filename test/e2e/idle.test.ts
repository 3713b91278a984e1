// "Nothing pending" without internals: pending(), idle({ timeoutMs }) and assertNoPending(), asserted identically
// in-process (startEmulator's own operations) and over HTTP (connectEmulator(url)), plus what only HTTP has
// (GET /__emulator/pending, GET /__emulator/idle: its 408 body and the bound of timeoutMs).
// Messages go in through the official bandwidth-sdk; callbacks go out to a real HTTP sink on 127.0.0.1:0.
import { describe, expect, it } from 'vitest';
import { connectEmulator } from '../../src/control/client.js';
import { ControlInputError } from '../../src/control/operations.js';
import { ITEMS_SHOWN, PendingWorkError, type PendingReport } from '../../src/messaging/settle.js';
import { ACCOUNT_A, AFTER_1H, getJson, HANDSET, NUM_A1, sendA, TO1, TO2, useControlApi, WAIT } from '../helpers/control-api.js';
import { CONTROL_CONNECTIONS, rejection } from '../helpers/harness.js';

const { start, startHttp } = useControlApi();

const NOTHING: PendingReport = { total: 0, steps: 0, callbacks: 0, mediaFetches: 0, items: [] };
/** The report of exactly one recipient's step waiting to fire. */
const oneStep = (messageId: string, recipient: string): PendingReport => ({
  total: 1,
  steps: 1,
  callbacks: 0,
  mediaFetches: 0,
  items: [{ kind: 'steps', accountId: ACCOUNT_A, messageId, recipient, next: 'message-delivered' }],
});

describe.each(CONTROL_CONNECTIONS)('idle, pending and assertNoPending through the %s', (_mode, connect) => {
  it('idle: resolves only once every callback has settled, with an empty report; assertNoPending then passes', async () => {
    // Delays longer than a control call over HTTP takes: an idle() that did not wait would see them pending.
    const f = await start(connect, { callbacks: { deliveryDelay: '300ms', sendingDelay: '100ms', retryDelays: ['20ms'], timeout: '2s' } });
    // A group (MMS: message-sending, then message-delivered, per recipient) and an inbound message: 5 callbacks.
    const group = await sendA(f, [TO1, TO2]);
    const [inbound] = await f.ops.inbound({ from: HANDSET, to: [NUM_A1], text: 'hi' });
    expect((await f.ops.pending()).total).toBeGreaterThan(0);

    expect(await f.ops.idle(WAIT)).toEqual(NOTHING);
    // Nothing is left to wait for: every callback is journaled and at the sink already.
    const journal = await f.ops.callbacks.list();
    expect(journal.map((e) => [e.messageId, e.recipient, e.type, e.outcome]).sort()).toEqual(
      [
        [group, TO1, 'message-sending', 'delivered'],
        [group, TO1, 'message-delivered', 'delivered'],
        [group, TO2, 'message-sending', 'delivered'],
        [group, TO2, 'message-delivered', 'delivered'],
        [inbound!.id, NUM_A1, 'message-received', 'delivered'],
      ].sort(),
    );
    expect(f.sink.requests).toHaveLength(5);
    expect(await f.ops.pending()).toEqual(NOTHING);
    await expect(f.ops.assertNoPending()).resolves.toBeUndefined();
  });

  it('idle: a step an hour ahead makes it reject after timeoutMs with PendingWorkError naming the message and recipient; assertNoPending throws the same; after time.flush both pass', async () => {
    const f = await start(connect);
    const id = await sendA(f, [AFTER_1H]);
    expect(await f.ops.pending()).toEqual(oneStep(id, AFTER_1H));

    const started = Date.now();
    const error = await rejection(f.ops.idle({ timeoutMs: 200 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(error).toBeInstanceOf(PendingWorkError);
    expect(error.name).toBe('PendingWorkError');
    expect((error as PendingWorkError).report).toEqual(oneStep(id, AFTER_1H));
    expect(error.message).toBe(
      `still pending after 200 ms: 1 steps, 0 callbacks and 0 media fetches pending (${id} to ${AFTER_1H}: message-delivered not fired)`,
    );

    const strict = await rejection(f.ops.assertNoPending());
    expect(strict).toBeInstanceOf(PendingWorkError);
    expect((strict as PendingWorkError).report).toEqual(oneStep(id, AFTER_1H));
    expect(strict.message).toMatch(/^expected nothing pending: 1 steps/);
    expect(strict.message).toContain(`${id} to ${AFTER_1H}`);

    expect(await f.ops.time.flush()).toEqual({ ran: 1 });
    expect(await f.ops.idle(WAIT)).toEqual(NOTHING);
    expect(await f.ops.callbacks.list({ messageId: id })).toEqual([expect.objectContaining({ type: 'message-delivered', outcome: 'delivered' })]);
    await expect(f.ops.assertNoPending()).resolves.toBeUndefined();
  });

  it('a carrier action on the step an hour ahead ends it: idle resolves once its callback is delivered', async () => {
    const f = await start(connect);
    const id = await sendA(f, [AFTER_1H]);
    expect((await rejection(f.ops.assertNoPending())) as PendingWorkError).toMatchObject({ report: oneStep(id, AFTER_1H) });

    await f.ops.carrier(id, { action: 'fail', errorCode: 4720 });
    expect(await f.ops.idle(WAIT)).toEqual(NOTHING);
    expect(await f.ops.callbacks.list({ messageId: id })).toEqual([expect.objectContaining({ type: 'message-failed', outcome: 'delivered' })]);
    await expect(f.ops.assertNoPending()).resolves.toBeUndefined();
  });

  it('a callback waiting for its retry is named by type, event id and attempt; idle resolves once the retry is delivered', async () => {
    const f = await start(connect, { callbacks: { deliveryDelay: '10ms', sendingDelay: '5ms', retryDelays: ['1h'], timeout: '2s' } });
    f.sink.respond((_req, res) => {
      res.writeHead(500).end();
      return 'handled';
    });
    const id = await sendA(f, [TO1]);
    const failed = await f.ops.callbacks.waitFor({ messageId: id, outcome: 'retrying' }, WAIT);

    const error = (await rejection(f.ops.idle({ timeoutMs: 100 }))) as PendingWorkError;
    expect(error).toBeInstanceOf(PendingWorkError);
    expect(error.report).toEqual({
      total: 1,
      steps: 0,
      callbacks: 1,
      mediaFetches: 0,
      items: [{ kind: 'callback', accountId: ACCOUNT_A, messageId: id, recipient: TO1, type: 'message-delivered', eventId: failed.eventId, attempt: 1 }],
    });
    expect(error.message).toContain(`message-delivered ${failed.eventId} for ${id} to ${TO1}: attempt 1 not settled`);

    f.sink.respond(() => undefined);
    expect((await f.ops.time.flush()).ran).toBeGreaterThanOrEqual(1);
    expect(await f.ops.idle(WAIT)).toEqual(NOTHING);
    expect((await f.ops.callbacks.list({ messageId: id })).map((e) => e.outcome)).toEqual(['retrying', 'delivered']);
    await expect(f.ops.assertNoPending()).resolves.toBeUndefined();
  });

  it('idle and callbacks.waitFor: a timeoutMs past its bound (300000), negative or fractional is a ControlInputError, not a wait', async () => {
    const f = await start(connect);
    const id = await sendA(f, [TO1]);
    await f.ops.callbacks.waitFor({ messageId: id, outcome: 'delivered' }, WAIT);
    await f.ops.idle(WAIT);
    // With nothing pending and the entry journaled, an accepted wait would answer at once: a refusal is the check.
    for (const timeoutMs of [300_001, 2 ** 31, -1, 1.5]) {
      expect(await rejection(f.ops.idle({ timeoutMs })), `idle ${timeoutMs}`).toBeInstanceOf(ControlInputError);
      expect(await rejection(f.ops.callbacks.waitFor({ messageId: id }, { timeoutMs })), `waitFor ${timeoutMs}`).toBeInstanceOf(ControlInputError);
    }
    expect(await f.ops.idle({ timeoutMs: 300_000 })).toEqual(NOTHING);
    expect((await f.ops.callbacks.waitFor({ messageId: id }, { timeoutMs: 300_000 })).messageId).toBe(id);
  });

  it(`the report names at most ${ITEMS_SHOWN} items; its counts cover the rest`, async () => {
    const f = await start(connect);
    const ids: string[] = [];
    for (let i = 0; i < ITEMS_SHOWN + 5; i++) ids.push(await sendA(f, [AFTER_1H], { text: `slow ${i}` }));

    const report = await f.ops.pending();
    expect(report).toMatchObject({ total: ITEMS_SHOWN + 5, steps: ITEMS_SHOWN + 5, callbacks: 0, mediaFetches: 0 });
    expect(report.items).toHaveLength(ITEMS_SHOWN);
    for (const item of report.items) expect(ids).toContain(item.messageId);
    const error = (await rejection(f.ops.assertNoPending())) as PendingWorkError;
    expect(error.report).toEqual(report);
    expect(error.message).toMatch(/; …\)$/);
    expect(error.message.split(' not fired')).toHaveLength(ITEMS_SHOWN + 1);
  });
});

describe('idle and pending over HTTP only', () => {
  it('GET /__emulator/idle: 200 with the empty report at once when nothing is pending; 408 with the pending report after timeoutMs', async () => {
    const f = await startHttp();
    // The bound itself is accepted; with nothing pending it answers at once.
    expect(await getJson(`${f.running.url}/__emulator/idle?timeoutMs=300000`)).toEqual({ status: 200, body: NOTHING });
    expect(await getJson(`${f.running.url}/__emulator/idle`)).toEqual({ status: 200, body: NOTHING });

    const id = await sendA(f, [AFTER_1H]);
    expect(await getJson(`${f.running.url}/__emulator/pending`)).toEqual({ status: 200, body: oneStep(id, AFTER_1H) });
    const started = Date.now();
    const timeout = await getJson(`${f.running.url}/__emulator/idle?timeoutMs=150`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(timeout).toEqual({
      status: 408,
      body: {
        error: 'timeout',
        message: `still pending after 150 ms: 1 steps, 0 callbacks and 0 media fetches pending (${id} to ${AFTER_1H}: message-delivered not fired)`,
        pending: oneStep(id, AFTER_1H),
      },
    });
  });

  it('GET /__emulator/idle: a timeoutMs past its bound (300000), negative or not a whole number is a 400 {error, message}; the client throws ControlInputError', async () => {
    const f = await startHttp();
    for (const value of ['300001', '-1', 'soon', '1.5']) {
      const res = await getJson(`${f.running.url}/__emulator/idle?timeoutMs=${value}`);
      expect(res.status, value).toBe(400);
      expect(res.body, value).toEqual({ error: 'bad-request', message: expect.stringContaining('timeoutMs') });
    }
    const refused = await rejection(connectEmulator(f.running.url).idle({ timeoutMs: 300_001 }));
    expect(refused).toBeInstanceOf(ControlInputError);
    expect(refused.message).toContain('timeoutMs');
  });
});
