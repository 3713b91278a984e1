import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigFile } from '../../src/config/schema.js';
import type { RunningEmulator } from '../../src/start.js';
import { useEmulators } from '../helpers/fixture.js';
import type { EventBody } from '../helpers/harness.js';
import { httpError } from '../helpers/messages-sdk.js';
import { assertMatchesSpec } from '../helpers/spec.js';

// Throughput and the account queue of the production profile (README "Throughput and the queue") through Bandwidth's
// own Node SDK (bandwidth-sdk). Emulated time: most tests freeze it (timeScale 1e6: nothing fires on its own) and
// run the queue with time.flush, so the waits are exact on the emulated clock; one runs it 20 times faster than
// real time (timeScale 0.05) and waits with idle(). Nothing here asserts on wall-clock speed.
const ACCT = '9904000';
const OTHER = '9904001';
const APP = '0a1b2c3d-0000-4000-8000-00000000d001';
const OTHER_APP = '0a1b2c3d-0000-4000-8000-00000000d002';
const USER = { username: 'tp-user', password: 'tp-password' };
const OTHER_USER = { username: 'tp-other', password: 'tp-password' };
const LOCAL = '+19195550600';
const LOCAL_2 = '+19195550601';
const OTHER_LOCAL = '+19195550700';
const SHORT_CODE = '+12346';
const HANDSET = '+15551239100';
const FROZEN = 1e6;

function config(callbackUrl: string, over: Partial<ConfigFile> = {}): ConfigFile {
  return {
    timeScale: FROZEN,
    traffic: { profile: 'production' },
    accounts: [
      {
        id: ACCT,
        users: [USER],
        applications: [{ id: APP, callbackUrl }],
        // Two numbers on two campaigns: each campaign is its own limiter (class T, 75 segments a minute).
        numbers: [LOCAL, { number: LOCAL_2, campaign: { id: 'CSECOND', class: 'T' } }, SHORT_CODE],
      },
      { id: OTHER, users: [OTHER_USER], applications: [{ id: OTHER_APP, callbackUrl }], numbers: [OTHER_LOCAL] },
    ],
    callbacks: { sendingDelay: '5ms', deliveryDelay: '20ms', retryDelays: ['20ms'], timeout: '2s' },
    ...over,
  };
}

describe('throughput and the account queue through bandwidth-sdk (production profile)', () => {
  const emulators = useEmulators();

  async function start(over: Partial<ConfigFile> = {}): Promise<{ running: RunningEmulator; api: MessagesApi; other: MessagesApi }> {
    const sink = await emulators.newSink();
    const running = await emulators.start({ config: undefined, ...config(sink.url, over) });
    const api = new MessagesApi(new Configuration({ basePath: running.url, ...USER }));
    const other = new MessagesApi(new Configuration({ basePath: running.url, ...OTHER_USER }));
    return { running, api, other };
  }

  async function send(api: MessagesApi, over: Partial<MessageRequest> = {}, acct = ACCT, app = APP): Promise<string> {
    const to = over.to ? [...over.to] : [HANDSET];
    const { status, data } = await api.createMessage(acct, { applicationId: app, from: LOCAL, text: 'burst', ...over, to: new Set(to) } as MessageRequest);
    expect(status).toBe(202);
    assertMatchesSpec('message', data);
    return data.id!;
  }

  async function note(running: RunningEmulator, id: string, what: string) {
    return (await running.messages.get(id))!.timeline.find((t) => t.what === what);
  }
  const waited = async (running: RunningEmulator, id: string) => ((await note(running, id, 'dequeued'))?.detail?.waitedMs as number | undefined) ?? 0;
  const delivered = async (running: RunningEmulator, id: string) =>
    (await running.callbacks.list({ messageId: id })).filter((e) => e.outcome === 'delivered').map((e) => (e.request.body as EventBody[])[0]!);
  const fireOrder = async (running: RunningEmulator, type: string) =>
    (await running.callbacks.list({ type }))
      .filter((e) => e.outcome === 'delivered')
      .sort((a, b) => Number(a.eventId.slice(3)) - Number(b.eventId.slice(3)))
      .map((e) => e.messageId);

  it('a burst from one local number leaves at the account rate, 1 segment a second: waits of exactly 0, 1, 2, 3, 4 s', async () => {
    const { running, api } = await start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(api, { text: `burst ${i}` }));
    // Waiting: QUEUED in search, a queued note with the limiter, and pending (idle() would wait for them).
    const queued = await running.messages.get(ids[1]!);
    expect(queued!.recipients[0]!.status).toBe('QUEUED');
    expect((await note(running, ids[1]!, 'queued'))?.detail).toMatchObject({ segments: 1, reason: expect.stringContaining("the account's rate") });
    expect(await running.pending()).toMatchObject({ queued: 4, steps: expect.any(Number) });
    expect(await note(running, ids[0]!, 'queued'), 'the first goes at once').toBeUndefined();

    await running.time.flush();
    await running.idle();
    expect(await Promise.all(ids.map((id) => waited(running, id)))).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(await fireOrder(running, 'message-delivered')).toEqual(ids);
    for (const id of ids) {
      expect((await delivered(running, id)).map((e) => e.type)).toEqual(['message-delivered']);
      const message = await running.messages.get(id);
      // message-sending/delivered are planned when the message leaves: each event is after its dequeued note.
      const dequeued = message!.timeline.find((t) => t.what === 'dequeued');
      const deliveredAt = message!.timeline.find((t) => t.what === 'message-delivered')!.at;
      if (dequeued) expect(Date.parse(deliveredAt)).toBeGreaterThanOrEqual(Date.parse(dequeued.at));
    }
    expect((await running.pending()).queued).toBeUndefined();
  });

  it('with time running 20x faster, idle() waits for the queue; each release comes 1 s of emulated time after the last', async () => {
    const scale = 0.05;
    const { running, api } = await start({ timeScale: scale });
    const ids = await Promise.all([0, 1, 2, 3].map((i) => send(api, { text: `fast ${i}` })));
    await running.idle({ timeoutMs: 20_000 });
    const released = await Promise.all(ids.map(async (id) => (await note(running, id, 'dequeued'))?.at));
    const times = released
      .filter((at): at is string => at !== undefined)
      .map((at) => Date.parse(at))
      .sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(2);
    // Each release is armed when the previous fires, 1000 emulated ms later: never sooner (the clock may fire 1 ms early).
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000 * scale - 2);
    for (const id of ids) expect((await delivered(running, id)).map((e) => e.type)).toEqual(['message-delivered']);
  });

  it('a multi-segment message costs its segments: after a 3-segment message the next waits 3 s; a group costs one per recipient', async () => {
    const { running, api } = await start();
    const long = await send(api, { text: 'x'.repeat(400) }); // 3 segments of 153 GSM-7 characters
    const next = await send(api, { text: 'one' });
    const group = await send(api, { to: new Set([HANDSET, '+15551239101']), text: 'group' }); // MMS: 1 segment x 2
    const after = await send(api, { text: 'after the group' });
    await running.time.flush();
    await running.idle();
    expect((await running.messages.get(long))!.segmentCount).toBe(3);
    expect(await Promise.all([long, next, group, after].map((id) => waited(running, id)))).toEqual([0, 3000, 4000, 6000]);
  });

  it('priority high overtakes the default messages waiting (and still counts toward the rate)', async () => {
    const { running, api } = await start();
    const d1 = await send(api, { text: 'd1' });
    const d2 = await send(api, { text: 'd2' });
    const d3 = await send(api, { text: 'd3' });
    const high = await send(api, { text: 'urgent', priority: 'high' } as Partial<MessageRequest>);
    await running.time.flush();
    await running.idle();
    expect(await fireOrder(running, 'message-delivered')).toEqual([d1, high, d2, d3]);
    expect(await Promise.all([d1, high, d2, d3].map((id) => waited(running, id)))).toEqual([0, 1000, 2000, 3000]);
  });

  it('priority high on an MMS from a local number waits with the defaults (Bandwidth: not for 10DLC MMS); from a short code it goes ahead', async () => {
    const { running, api } = await start();
    const media = ['https://example.com/a.jpg'];
    const d1 = await send(api, { text: 'd1' });
    const d2 = await send(api, { text: 'd2' });
    const mms = await send(api, { text: 'mms', media, priority: 'high' } as Partial<MessageRequest>);
    const shortMms = await send(api, { from: SHORT_CODE, text: 'sc mms', media, priority: 'high' } as Partial<MessageRequest>);
    expect((await note(running, mms, 'queued'))?.detail?.reason).toMatch(/priority high does not apply to MMS/);
    await running.time.flush();
    await running.idle();
    expect(await fireOrder(running, 'message-delivered')).toEqual([d1, shortMms, d2, mms]);
  });

  it('an expiration that passes while the message waits: message-failed 4360 at that moment, and it no longer counts in the queue', async () => {
    const { running, api } = await start();
    // The third message would leave 2 s after the first; its expiration passes 1.5 s after it was sent.
    const first = await send(api, { text: 'first' });
    const second = await send(api, { text: 'second' });
    const expiring = await send(api, { text: 'expires', expiration: new Date(Date.now() + 1500).toISOString() } as Partial<MessageRequest>);
    const last = await send(api, { text: 'last' });
    await running.time.flush();
    await running.idle();
    expect(await waited(running, first)).toBe(0);
    expect(await waited(running, second)).toBe(1000);
    const failed = await delivered(running, expiring);
    expect(failed.map((e) => `${e.type} ${e.errorCode}`)).toEqual(['message-failed 4360']);
    expect(failed[0]!.description).toBe('Message expiration date passed');
    const stored = await running.messages.get(expiring);
    expect(stored!.recipients[0]).toMatchObject({ status: 'FAILED', errorCode: 4360 });
    const expired = await note(running, expiring, 'dequeued');
    expect(expired?.detail).toMatchObject({ expired: true });
    expect(expired?.detail?.waitedMs as number).toBeGreaterThan(1000);
    expect(expired?.detail?.waitedMs as number).toBeLessThanOrEqual(1500);
    // The expired message left the queue: the last one leaves at 2 s, in the expired one's place.
    expect(await waited(running, last)).toBe(2000);
  });

  it("a full queue answers the create synchronously with 429, Bandwidth's body and Retry-After, and stores nothing", async () => {
    // 1 segment a second and a 3-second queue: room for 3 segments waiting.
    const { running, api } = await start({ traffic: { profile: 'production', queueDepth: '3s' } });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await send(api, { text: `fits ${i}` }));
    const before = (await running.messages.list({ accountId: ACCT })).length;
    const refused = await httpError(api.createMessage(ACCT, { applicationId: APP, from: LOCAL, to: new Set([HANDSET]), text: 'no room' } as MessageRequest));
    expect(refused.status).toBe(429);
    expect(refused.data).toEqual({
      type: 'max-message-queue-size-exceeded',
      description:
        'The SMS queue for your account is full and cannot accept more messages right now. Your allowed rate is 60 messages per minute. The capacity of this queue is 3 messages (0.05 minutes). Reduce your message sending rate, or contact support to increase your allowed rate.',
    });
    expect(Number(refused.headers['retry-after'])).toBe(1);
    expect((await running.messages.list({ accountId: ACCT })).length).toBe(before);
    // Priority does not get past a full queue (https://support.bandwidth.com/hc/en-us/articles/360063389073).
    const high = await httpError(
      api.createMessage(ACCT, { applicationId: APP, from: LOCAL, to: new Set([HANDSET]), text: 'x', priority: 'high' } as MessageRequest),
    );
    expect(high.status).toBe(429);
    // A larger message needs more room: 3 segments over a full queue, 3 s to drain.
    const big = await httpError(api.createMessage(ACCT, { applicationId: APP, from: LOCAL, to: new Set([HANDSET]), text: 'y'.repeat(400) } as MessageRequest));
    expect(Number(big.headers['retry-after'])).toBe(3);
    await running.time.flush();
    await running.idle();
    expect(await Promise.all(ids.map((id) => waited(running, id)))).toEqual([0, 1000, 2000, 3000]);
  });

  it('the queue never holds more messages than limits.maxMessages, however deep it is: past it the same 429', async () => {
    const { running, api } = await start({ limits: { maxMessages: 3, maxJournalEntries: 100 } });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await send(api, { text: `held ${i}` }));
    const refused = await httpError(api.createMessage(ACCT, { applicationId: APP, from: LOCAL, to: new Set([HANDSET]), text: 'over' } as MessageRequest));
    expect(refused.status).toBe(429);
    expect((refused.data as { type: string }).type).toBe('max-message-queue-size-exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The waiting messages are pinned: held over the store's cap, not evicted, until they leave.
    for (const id of ids) expect(await running.messages.get(id)).toBeDefined();
    await running.time.flush();
    await running.idle();
    for (const id of ids.slice(1)) expect((await delivered(running, id)).map((e) => e.type)).toEqual(['message-delivered']);
  });

  it("accounts are isolated: one account's queue does not slow another's", async () => {
    const { running, api, other } = await start();
    for (let i = 0; i < 3; i++) await send(api, { text: `a ${i}` });
    const b = await send(other, { from: OTHER_LOCAL, text: 'b' }, OTHER, OTHER_APP);
    expect(await note(running, b, 'queued')).toBeUndefined();
    await running.time.flush();
    await running.idle();
    expect(await waited(running, b)).toBe(0);
  });

  it("per campaign: each campaign's numbers share its class rate; another campaign's number does not wait for it", async () => {
    // Class T is 75 segments a minute (1.25/s: 800 ms each); the account may send 10/s (100 ms each).
    const { running, api } = await start({ traffic: { profile: 'production', rates: { account: 10 } } });
    const a = [await send(api, { text: 'a0' }), await send(api, { text: 'a1' }), await send(api, { text: 'a2' })];
    const b = await send(api, { from: LOCAL_2, text: 'b0' });
    expect((await note(running, a[1]!, 'queued'))?.detail).toMatchObject({ limiter: 'campaign CEMULAT (class T, shared by its numbers)' });
    expect((await note(running, b, 'queued'))?.detail?.reason).toMatch(/the account's rate \(10 segments\/s\)/);
    await running.time.flush();
    await running.idle();
    expect(await Promise.all(a.map((id) => waited(running, id)))).toEqual([0, 800, 1600]);
    // b waited for the account's limiter only (100 ms), not for campaign CEMULAT's: it left ahead of a1.
    expect(await waited(running, b)).toBe(100);
    expect(await fireOrder(running, 'message-delivered')).toEqual([a[0], b, a[1], a[2]]);
  });

  it('switching throughput off at run time releases what waits at once; a reset forgets the queue', async () => {
    const { running, api } = await start();
    const ids = [await send(api, { text: 'one' }), await send(api, { text: 'two' }), await send(api, { text: 'three' })];
    await running.traffic.set({ throughput: false }, ACCT);
    expect((await running.pending()).queued).toBeUndefined();
    await running.time.flush();
    await running.idle();
    for (const id of ids) expect((await delivered(running, id)).map((e) => e.type)).toEqual(['message-delivered']);
    expect(await note(running, ids[2]!, 'dequeued')).toBeDefined();

    await running.traffic.set({ throughput: true }, ACCT);
    await send(api, { text: 'four' });
    await send(api, { text: 'five' });
    expect((await running.pending()).queued).toBe(1);
    await running.reset(ACCT);
    expect(await running.pending()).toMatchObject({ total: 0, steps: 0 });
    expect((await running.pending()).queued).toBeUndefined();
  });

  it('the fast profile (the default) is unchanged: a burst goes at once, no queue', async () => {
    const { running, api } = await start({ traffic: { profile: 'fast' } });
    const ids = [await send(api, { text: 'f1' }), await send(api, { text: 'f2' }), await send(api, { text: 'f3' })];
    expect((await running.pending()).queued).toBeUndefined();
    for (const id of ids) expect(await note(running, id, 'queued')).toBeUndefined();
    await running.time.flush();
    await running.idle();
    for (const id of ids) expect((await delivered(running, id)).map((e) => e.type)).toEqual(['message-delivered']);
  });

  describe('the queue outlives a restart', () => {
    const folders: string[] = [];
    afterAll(() => {
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    });

    it('--data-dir: messages waiting when the emulator closes wait again after a restart, in their order, and then leave', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'bw-queue-'));
      folders.push(dataDir);
      const first = await start({ dataDir });
      const ids = [await send(first.api, { text: 'q0' }), await send(first.api, { text: 'q1' }), await send(first.api, { text: 'q2' })];
      const high = await send(first.api, { text: 'qh', priority: 'high' } as Partial<MessageRequest>);
      expect((await first.running.pending()).queued).toBe(3);
      await first.running.close();

      const second = await start({ dataDir });
      expect((await second.running.pending()).queued, 'the first left at once; one of the three goes at once after the restart').toBe(2);
      await second.running.time.flush();
      await second.running.idle();
      // q0's steps were pending on file and resume; the limiters are free after the restart: the high one leaves at
      // once, then q1 and q2 at the account's rate.
      expect(await fireOrder(second.running, 'message-delivered')).toEqual([ids[0], high, ids[1], ids[2]]);
      for (const id of [high, ids[1]!, ids[2]!]) expect((await delivered(second.running, id)).map((e) => e.type)).toEqual(['message-delivered']);
      expect((await second.running.messages.get(ids[2]!))!.timeline.filter((t) => t.what === 'dequeued')).toHaveLength(1);
    });

    it('an exported state document carries the waiting messages; importing it puts them back in the queue', async () => {
      const source = await start();
      const ids = [await send(source.api, { text: 'e0' }), await send(source.api, { text: 'e1' }), await send(source.api, { text: 'e2' })];
      const doc = await source.running.state.export();
      const target = await start();
      await target.running.state.import(doc);
      expect((await target.running.pending()).queued).toBe(1);
      await target.running.time.flush();
      await target.running.idle();
      expect(await fireOrder(target.running, 'message-delivered')).toEqual([ids[1], ids[2]]);
    });
  });
});
