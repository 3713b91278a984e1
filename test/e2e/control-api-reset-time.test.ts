// The control API end to end, asserted identically in-process and over HTTP (connectEmulator(url)): reset (all, or
// one account) and the emulated clock (get, setTimeScale, flush).
// Messages go in through the official bandwidth-sdk; callbacks go out to a real HTTP sink on 127.0.0.1:0.
import { describe, expect, it } from 'vitest';
import { MAX_TIME_SCALE } from '../../src/config/schema.js';
import { ControlInputError } from '../../src/control/operations.js';
import { JournalWaitTimeout } from '../../src/store/journal.js';
import { CONTROL_CONNECTIONS, rejection } from '../helpers/harness.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  AFTER_1H,
  HANDSET,
  ids,
  NUM_A1,
  NUM_B1,
  scenarioNames,
  sendA,
  sendB,
  sorted,
  TO1,
  TO2,
  TO4,
  TO5,
  useControlApi,
  WAIT,
} from '../helpers/control-api.js';

const { start } = useControlApi();

describe.each(CONTROL_CONNECTIONS)('control operations through the %s', (_mode, connect) => {
  it('reset(): forgets every message, journal entry, pending step and run-time scenario', async () => {
    const f = await start(connect);
    const a = await sendA(f, [TO1]);
    const b = await sendB(f, [TO1]);
    await sendA(f, [AFTER_1H]);
    await f.ops.inbound({ from: HANDSET, to: [NUM_A1], text: 'in' });
    await f.ops.scenarios.use({ version: 1, name: 'ctl-global', rules: [{ match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] });
    await f.ops.scenarios.use(
      { version: 1, name: 'ctl-b', rules: [{ match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] },
      { accountId: ACCOUNT_B },
    );
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
    await f.ops.scenarios.use(
      { version: 1, name: 'ctl-a', rules: [{ match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] },
      { accountId: ACCOUNT_A },
    );
    await f.ops.scenarios.use(
      { version: 1, name: 'ctl-b', rules: [{ match: { to: TO5 }, events: [{ type: 'message-failed', errorCode: 4720 }] }] },
      { accountId: ACCOUNT_B },
    );
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

  it('time.get / setTimeScale / flush: a 1h delivery happens only after flush; the time scale applies to new delays', async () => {
    const f = await start(connect, { callbacks: { deliveryDelay: '1h', sendingDelay: '5ms', retryDelays: ['20ms'], timeout: '2s' } });
    const clock = await f.ops.time.get();
    expect(clock.timeScale).toBe(1);
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

    expect(await f.ops.time.setTimeScale(0.5)).toEqual({ timeScale: 0.5 });
    expect((await f.ops.time.get()).timeScale).toBe(0.5);
    // Scale 0: the one-hour delay of a new message fires on the next tick.
    expect(await f.ops.time.setTimeScale(0)).toEqual({ timeScale: 0 });
    const fast = await sendA(f, [TO2]);
    await f.ops.callbacks.waitFor({ messageId: fast, type: 'message-delivered', outcome: 'delivered' }, WAIT);

    // Bounded as the config's timeScale is: 0 to MAX_TIME_SCALE, a finite number.
    for (const past of [-1, MAX_TIME_SCALE * 1.5, Number.POSITIVE_INFINITY]) {
      const bad = await rejection(f.ops.time.setTimeScale(past));
      expect(bad).toBeInstanceOf(ControlInputError);
      // In-process the operation words it; over HTTP the body schema does (Infinity travels as null): both name the field.
      expect((bad as Error).message).toMatch(/timeScale/);
    }
    expect(await f.ops.time.setTimeScale(MAX_TIME_SCALE)).toEqual({ timeScale: MAX_TIME_SCALE });
    expect((await f.ops.time.get()).timeScale).toBe(MAX_TIME_SCALE);
  });
});
