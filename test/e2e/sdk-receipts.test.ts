// Receipts as routes produce them, end to end (README "Receipts as routes produce them"): the disorder faults seen at
// a real receiver in the wrong order, a receipt right after the 202, MMS with and without Feature_MMS_DLR, and the
// receipt window that ends in 9902 (or 4794) on the emulator's clock. The official bandwidth-sdk is the client.
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, type MessageRequest } from 'bandwidth-sdk';
import { createClock } from '../../src/clock.js';
import { createEmulator } from '../../src/compose.js';
import type { ConfigFile } from '../../src/config/schema.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { createControlOperations } from '../../src/control/operations.js';
import { buildApp } from '../../src/server.js';
import type { RunningEmulator } from '../../src/start.js';
import type { JournalEntry } from '../../src/store/journal.js';
import { useEmulators } from '../helpers/fixture.js';
import { events, expectBooksBalance, type EventBody } from '../helpers/harness.js';
import { list } from '../helpers/messages-sdk.js';
import type { CallbackSink } from '../helpers/sink.js';

const { start, newSink, defer } = useEmulators();

const ACCOUNT = '9907000';
const LEGACY = '9907001';
const APP = '7e000000-0000-4000-8000-000000000001';
const APP_LEGACY = '7e000000-0000-4000-8000-000000000002';
const FROM = '+19195550100';
const FROM_LEGACY = '+19195550200';
const MEDIA = ['https://example.com/cat.png'];
const WAIT = { timeoutMs: 10_000 };

type AccountFile = NonNullable<ConfigFile['accounts']>[number];

/** Two accounts posting to one sink: one with Bandwidth's default features, one without Feature_MMS_DLR. */
function accounts(sink: CallbackSink): AccountFile[] {
  return [
    {
      id: ACCOUNT,
      users: [{ username: 'rc-user', password: 'rc-password' }],
      applications: [{ id: APP, callbackUrl: sink.url }],
      numbers: [{ number: FROM, applicationId: APP }],
    },
    {
      id: LEGACY,
      users: [{ username: 'legacy-user', password: 'legacy-password' }],
      applications: [{ id: APP_LEGACY, callbackUrl: sink.url }],
      numbers: [{ number: FROM_LEGACY, applicationId: APP_LEGACY }],
      features: { mmsDeliveryReceipts: false },
    },
  ];
}

const apiFor = (url: string, legacy = false) =>
  new MessagesApi(new Configuration({ basePath: url, username: legacy ? 'legacy-user' : 'rc-user', password: legacy ? 'legacy-password' : 'rc-password' }));

async function setup(config: Partial<ConfigFile> = {}): Promise<{ running: RunningEmulator; api: MessagesApi; legacy: MessagesApi; sink: CallbackSink }> {
  const sink = await newSink();
  const running = await start({
    accounts: accounts(sink),
    callbacks: { deliveryDelay: '60ms', sendingDelay: '5ms', retryDelays: ['20ms'] },
    ...config,
  });
  return { running, api: apiFor(running.url), legacy: apiFor(running.url, true), sink };
}

/** Send through the SDK; returns the 202's message id and accepted time. */
async function send(api: MessagesApi, to: string, options: { media?: string[]; legacy?: boolean } = {}): Promise<{ id: string; time: string }> {
  const body: MessageRequest = {
    applicationId: options.legacy ? APP_LEGACY : APP,
    from: options.legacy ? FROM_LEGACY : FROM,
    to: [to] as unknown as Set<string>,
    text: 'receipts',
    ...(options.media ? { media: options.media } : {}),
  };
  const res = await api.createMessage(options.legacy ? LEGACY : ACCOUNT, body);
  expect(res.status).toBe(202);
  return { id: res.data.id!, time: res.data.time! };
}

/** The events of one message as the sink received them, in arrival order: `type[ errorCode]`. */
function arrivals(sink: CallbackSink, id: string): string[] {
  return events(sink)
    .filter((e) => e.message.id === id)
    .map((e) => e.type + (e.errorCode !== undefined ? ` ${e.errorCode}` : ''));
}

/** The journal's delivered entries of one message, in the order their POSTs were answered (journal sequence). */
async function journal(running: RunningEmulator, id: string): Promise<JournalEntry[]> {
  return (await running.callbacks.list({ messageId: id, outcome: 'delivered' })).sort((a, b) => a.seq - b.seq);
}

describe('disorder faults, observed at the receiver', () => {
  it('sendingAfterFinal: message-sending arrives after message-delivered (MMS) and is added after it for SMS; the status stays DELIVERED', async () => {
    const { running, api, sink } = await setup();
    await running.scenarios.use({
      version: 1,
      name: 'late-sending',
      rules: [{ name: 'sending late', match: { to: '+19195557101' }, callbackFaults: { sendingAfterFinal: true } }],
    });
    const mms = await send(api, '+19195557101', { media: MEDIA });
    const sms = await send(api, '+19195557101');
    await running.idle({ timeoutMs: 10_000 });

    // The receiver saw the final event first: the order the dispatcher keeps was bypassed on purpose.
    expect(arrivals(sink, mms.id)).toEqual(['message-delivered', 'message-sending']);
    expect(arrivals(sink, sms.id)).toEqual(['message-delivered', 'message-sending']);
    for (const { id } of [mms, sms]) {
      const entries = await journal(running, id);
      expect(entries.map((e) => e.type)).toEqual(['message-delivered', 'message-sending']);
      expect(entries[1]!.explanation).toMatch(/^scripted disorder \(callbackFaults\.sendingAfterFinal\): message-sending sent after the final event/);
      expect(entries[0]!.explanation).not.toMatch(/scripted disorder/);
      // Search keeps the final status: the late callback is a callback, not a new status.
      const row = (await list(api, ACCOUNT, { messageId: id })).data.messages![0]!;
      expect(row.messageStatus).toBe('DELIVERED');
    }
    expectBooksBalance(running.emulator.parts.dispatcher.stats());
  });

  it('staleAfterFinal: copies of the earlier message-sending, with its first time, arrive after the final event (delivered and failed)', async () => {
    const { running, api, sink } = await setup();
    await running.scenarios.use({
      version: 1,
      name: 'stale',
      rules: [
        { name: 'stale after delivered', match: { to: '+19195557201' }, callbackFaults: { staleAfterFinal: 2 } },
        {
          name: 'stale after failed',
          match: { to: '+19195557202' },
          events: [{ type: 'message-sending' }, { type: 'message-failed', errorCode: 4720 }],
          callbackFaults: { staleAfterFinal: 1 },
        },
      ],
    });
    const delivered = await send(api, '+19195557201', { media: MEDIA });
    const failed = await send(api, '+19195557202');
    await running.idle({ timeoutMs: 10_000 });

    expect(arrivals(sink, delivered.id)).toEqual(['message-sending', 'message-delivered', 'message-sending', 'message-sending']);
    expect(arrivals(sink, failed.id)).toEqual(['message-sending', 'message-failed 4720', 'message-sending']);
    const bodies = events(sink).filter((e: EventBody) => e.message.id === delivered.id && e.type === 'message-sending');
    // A stale copy carries the time of the first message-sending, older than the final event's.
    expect(new Set(bodies.map((b) => b.time)).size).toBe(1);
    const final = events(sink).find((e) => e.message.id === delivered.id && e.type === 'message-delivered')!;
    expect(Date.parse(bodies[0]!.time)).toBeLessThanOrEqual(Date.parse(final.time));

    const entries = await journal(running, failed.id);
    expect(entries.map((e) => e.type)).toEqual(['message-sending', 'message-failed', 'message-sending']);
    expect(entries[2]!.explanation).toMatch(/^scripted disorder \(callbackFaults\.staleAfterFinal\)/);
    expect((await list(api, ACCOUNT, { messageId: failed.id })).data.messages![0]!.messageStatus).toBe('FAILED');
    expect((await list(api, ACCOUNT, { messageId: delivered.id })).data.messages![0]!.messageStatus).toBe('DELIVERED');
    expectBooksBalance(running.emulator.parts.dispatcher.stats());
  });

  it('earlyReceipt: message-delivered 0 ms after the 202, which still reaches the client first', async () => {
    // A delivery delay of an hour: without the fault nothing would arrive during the test.
    const { running, api, sink } = await setup({ callbacks: { deliveryDelay: '1h', sendingDelay: '1h', retryDelays: ['20ms'] } });
    await running.scenarios.use({
      version: 1,
      name: 'early',
      rules: [{ name: 'early receipt', match: { to: '+19195557301' }, callbackFaults: { earlyReceipt: true } }],
    });
    let have202 = false;
    const before202: string[] = [];
    sink.respond((req) => {
      if (!have202) before202.push(JSON.stringify(req.body));
    });
    const early = await send(api, '+19195557301');
    have202 = true;
    const late = await send(api, '+19195557302');
    const entry = await running.callbacks.waitFor({ messageId: early.id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    expect(before202).toEqual([]);
    expect(entry.explanation).toMatch(/receipt 0 ms after the 202/);
    expect(arrivals(sink, early.id)).toEqual(['message-delivered']);
    // The ordinary message is still an hour (emulated) from its receipt: the early one did not wait for any delay.
    expect(arrivals(sink, late.id)).toEqual([]);
    const pending = await running.idle({ timeoutMs: 1 }).catch((error: Error) => error.message);
    expect(String(pending)).toMatch(new RegExp(late.id));
  });

  it('a disorder fault past its bound is refused, naming the file, the field and the fix', async () => {
    const { running } = await setup();
    const refused = await running.scenarios
      .use('version: 1\nname: too-stale\nrules:\n  - match: { to: "+19195557401" }\n    callbackFaults: { staleAfterFinal: 11 }\n')
      .catch((error: { problems?: Array<{ field: string; problem: string; fix: string }> }) => error);
    const problems = (refused as { problems: Array<{ source: string; field: string; problem: string; fix: string }> }).problems;
    expect(problems[0]).toMatchObject({ field: 'rules[0].callbackFaults.staleAfterFinal' });
    expect(problems[0]!.fix).toMatch(/10/);
  });
});

describe('MMS delivery receipts (Feature_MMS_DLR)', () => {
  it('with the feature (the default): message-sending, then the handset outcome; without it: message-delivered at the hand-off, a later failure never reported', async () => {
    const { running, api, legacy, sink } = await setup();
    await running.scenarios.use({
      version: 1,
      name: 'handset-fails',
      rules: [
        {
          name: 'handset rejects',
          match: { to: '+19195557502' },
          events: [{ type: 'message-sending' }, { type: 'message-failed', errorCode: 4720 }],
        },
        { name: 'bandwidth rejects', match: { to: '+19195557503' }, events: [{ type: 'message-sending' }, { type: 'message-failed', errorCode: 4301 }] },
      ],
    });
    const withDefault = await send(api, '+19195557501', { media: MEDIA });
    const withFailure = await send(api, '+19195557502', { media: MEDIA });
    const legacyDefault = await send(legacy, '+19195557501', { media: MEDIA, legacy: true });
    const legacyFailure = await send(legacy, '+19195557502', { media: MEDIA, legacy: true });
    const legacyBandwidth = await send(legacy, '+19195557503', { media: MEDIA, legacy: true });
    const legacySms = await send(legacy, '+19195557504', { legacy: true });
    await running.idle({ timeoutMs: 10_000 });

    expect(arrivals(sink, withDefault.id)).toEqual(['message-sending', 'message-delivered']);
    expect(arrivals(sink, withFailure.id)).toEqual(['message-sending', 'message-failed 4720']);
    // Without the feature: no message-sending, and message-delivered means "handed off to Bandwidth's MMSC".
    expect(arrivals(sink, legacyDefault.id)).toEqual(['message-delivered']);
    expect(arrivals(sink, legacyFailure.id)).toEqual(['message-delivered']);
    const handOff = events(sink).find((e) => e.message.id === legacyFailure.id)!;
    expect(handOff.description).toBe('Message delivered to carrier');
    const [entry] = await journal(running, legacyFailure.id);
    expect(entry!.explanation).toMatch(/without the MMS delivery-receipt feature \(Feature_MMS_DLR\).*message-failed 4720\) not reported/);
    // A failure Bandwidth detects itself comes before the hand-off: still reported.
    expect(arrivals(sink, legacyBandwidth.id)).toEqual(['message-failed 4301']);
    // SMS is not concerned.
    expect(arrivals(sink, legacySms.id)).toEqual(['message-delivered']);
    expect((await list(legacy, LEGACY, { messageId: legacyFailure.id })).data.messages![0]!.messageStatus).toBe('DELIVERED');
  });

  it('a throwaway account takes the feature too: off, an MMS gets one message-delivered', async () => {
    const { running, sink } = await setup();
    const account = await running.createAccount({ callbackUrl: sink.url, features: { mmsDeliveryReceipts: false } });
    const on = await running.createAccount({ callbackUrl: sink.url });
    const ids: string[] = [];
    for (const a of [account, on]) {
      const res = await new MessagesApi(new Configuration(a.sdkConfig)).createMessage(a.accountId, {
        applicationId: a.applicationId,
        from: a.numbers[0]!,
        to: ['+19195557701'] as unknown as Set<string>,
        media: MEDIA,
      });
      ids.push(res.data.id!);
    }
    await running.idle({ timeoutMs: 10_000 });
    expect(arrivals(sink, ids[0]!)).toEqual(['message-delivered']);
    expect(arrivals(sink, ids[1]!)).toEqual(['message-sending', 'message-delivered']);
  });
});

/** An emulator whose clock runs `1 / scale` times faster than the wall: journal times are emulated times. */
async function fastClockEmulator(sink: CallbackSink, scale: number, traffic?: ConfigFile['traffic']) {
  const origin = Date.now();
  const clock = createClock({ scale, now: () => origin + Math.round((Date.now() - origin) / scale) });
  const cfg = resolveConfig({
    overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', timeScale: scale, accounts: accounts(sink), ...(traffic ? { traffic } : {}) },
  });
  let url = '';
  const emulator = createEmulator(cfg, { clock, listenUrl: () => url });
  const app = await buildApp(emulator);
  defer(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { url, emulator, control: createControlOperations(emulator), clock };
}

describe('the delivery-receipt window', () => {
  const RULES = {
    version: 1,
    name: 'no-receipt',
    rules: [
      { name: 'no receipt', match: { to: '+19195557601' }, receipt: 'none' },
      { name: 'carrier expiry', match: { to: '+19195557602' }, receipt: 'carrier-expired' },
      { name: 'an hour late', match: { to: '+19195557603' }, events: [{ type: 'message-delivered', after: '1h' }] },
    ],
  };

  it('receipt: none fails with 9902 two emulated hours after the 202 (MMS after message-sending); carrier-expired with 4794', async () => {
    const sink = await newSink();
    // 2 emulated hours in 1.44 s of real time.
    const { url, control } = await fastClockEmulator(sink, 0.0002);
    await control.scenarios.use(RULES);
    const api = apiFor(url);
    const none = await send(api, '+19195557601');
    const noneMms = await send(api, '+19195557601', { media: MEDIA });
    const expired = await send(api, '+19195557602');
    const hourLate = await send(api, '+19195557603');
    const failure = await control.callbacks.waitFor({ messageId: none.id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    await control.callbacks.waitFor({ messageId: noneMms.id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    const carrier = await control.callbacks.waitFor({ messageId: expired.id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    await control.idle({ timeoutMs: 10_000 });

    const body = failure.request.body[0] as { errorCode: number; description: string; time: string };
    expect(body.errorCode).toBe(9902);
    expect(body.description).toBe('Delivery receipt expired');
    // On the emulator's clock: at least the window after the accepted time (within one real ms of timer rounding).
    expect(Date.parse(body.time) - Date.parse(none.time)).toBeGreaterThanOrEqual(2 * 3_600_000 - 10_000);
    expect((carrier.request.body[0] as { errorCode: number }).errorCode).toBe(4794);
    expect(arrivals(sink, noneMms.id)).toEqual(['message-sending', 'message-failed 9902']);
    // The message delivered an hour in was reported before the window ran out for the others.
    const order = events(sink).map((e) => e.message.id);
    expect(order.indexOf(hourLate.id)).toBeLessThan(order.indexOf(none.id));
    expect(failure.explanation).toMatch(/no receipt: message-failed 9902 after the receipt window/);
  });

  it('the window is the traffic setting receiptWindow, set at run time per account; a flush fires it at once', async () => {
    const { running, api, sink } = await setup();
    await running.scenarios.use(RULES);
    await running.traffic.set({ receiptWindow: '10m' }, ACCOUNT);
    expect((await running.traffic.get(ACCOUNT))?.settings.receiptWindowMs).toBe(600_000);
    const none = await send(api, '+19195557601');
    // Ten minutes at time scale 1: still waiting, until the clock is flushed.
    expect(arrivals(sink, none.id)).toEqual([]);
    await running.time.flush();
    await running.callbacks.waitFor({ messageId: none.id, type: 'message-failed', outcome: 'delivered' }, WAIT);
    expect(arrivals(sink, none.id)).toEqual(['message-failed 9902']);
  });

  it('without Feature_MMS_DLR an MMS asks for no receipt, so no window runs out: message-delivered at the hand-off', async () => {
    const { running, legacy, sink } = await setup();
    await running.scenarios.use(RULES);
    const mms = await send(legacy, '+19195557601', { media: MEDIA, legacy: true });
    await running.callbacks.waitFor({ messageId: mms.id, type: 'message-delivered', outcome: 'delivered' }, WAIT);
    await running.idle({ timeoutMs: 10_000 });
    expect(arrivals(sink, mms.id)).toEqual(['message-delivered']);
  });

  it('a receiptWindow past 24h is refused, naming the field and the fix', async () => {
    const { running } = await setup();
    const refused = await running.traffic.set({ receiptWindow: '25h' }, ACCOUNT).catch((error: Error) => error);
    expect(JSON.stringify(refused)).toMatch(/receiptWindow/);
    expect(JSON.stringify(refused)).toMatch(/24h/);
  });
});
