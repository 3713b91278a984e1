// Every bundled scenario in scenarios/ run end to end: a real emulator loaded with the file, the official bandwidth-sdk
// as the client, a real callback receiver (sink). Each test asserts the exact callbacks the file's comment promises.
// Also the magic numbers, with no scenario loaded at all.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Configuration, MessagesApi, MultiChannelApi, type MessageRequest, type MultiChannelMessageRequest } from 'bandwidth-sdk';
import { startEmulator, type RunningEmulator } from '../../src/start.js';
import { startSink, type CallbackSink } from '../helpers/sink.js';
import { list } from '../helpers/messages-sdk.js';
import { assertMatchesSpec } from '../helpers/spec.js';

import { events, expectBooksBalance, journaled, sequence, settled, type EventBody, useCallbackHarness } from '../helpers/harness.js';

const { emulators, sinks } = useCallbackHarness();

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCENARIO_DIR = join(ROOT, 'scenarios');
const BUNDLED = readdirSync(SCENARIO_DIR)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();
// The files loaded together by "the whole scenarios/ folder": those without a top-level traffic section. A traffic
// section changes the network for every account while its file is loaded (on-net, content filters), so those files
// are run on their own.
const WITHOUT_TRAFFIC = BUNDLED.filter((f) => !/^traffic:/m.test(readFileSync(join(SCENARIO_DIR, f), 'utf8')));

const ACCOUNT = '9900000';
const USER = 'bw-user';
const PASS = 'bw-password';
const APP = '93de2206-9669-4e07-948d-329f4b722ee2';
const FROM = '+19195550100';
const NUMBERS = ['+19195550100', '+19195550101', '+19195550102', '+19195550103', '+19195550104'];
const WAIT = { timeoutMs: 5000 };
// Plain recipients: none is a magic +1555[1-4]00DDDD number, nor matched by any bundled scenario.
const PLAIN = '+19195557001';

// ---- teardown: every emulator and sink is closed; every body any sink received must match Bandwidth's spec ----
// The files the tests below exercise, one test each; a new bundled file without a test fails the coverage test.
const TESTED = [
  'carrier-rejection.yaml',
  'content-filter.yaml',
  'dlr-expiry.yaml',
  'flaky-webhook.yaml',
  'group-one-fails.yaml',
  'happy-path.yaml',
  'mms.yaml',
  'on-net.yaml',
  'opt-out.yaml',
  'production-burst.yaml',
  'rate-limited.yaml',
  'rbm-fallback.yaml',
  'receipt-disorder.yaml',
  'search-rate-limit.yaml',
  'spam.yaml',
  'toll-free-opt-out.yaml',
  'two-factor.yaml',
];

/**
 * Start an emulator with one bundled scenario file (or none, or with `'*'` the whole folder), its application's
 * callbackUrl pointing at a fresh sink.
 */
async function start(file?: string): Promise<{ running: RunningEmulator; api: MessagesApi; sink: CallbackSink }> {
  if (file && file !== '*') expect(TESTED).toContain(file);
  const sink = await startSink();
  sinks.push(sink);
  const running = await startEmulator({
    scenarios: file === '*' ? WITHOUT_TRAFFIC.map((f) => join(SCENARIO_DIR, f)) : file ? [join(SCENARIO_DIR, file)] : [],
    callbacks: { deliveryDelay: '10ms', sendingDelay: '5ms', retryDelays: ['20ms'] },
    timeScale: 0.2,
    accounts: [
      {
        id: ACCOUNT,
        users: [{ username: USER, password: PASS, messaging: true }],
        applications: [{ id: APP, name: 'scenario tests', callbackUrl: sink.url }],
        numbers: NUMBERS.map((number) => ({ number, applicationId: APP })),
      },
    ],
  });
  emulators.push(running);
  const api = new MessagesApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
  return { running, api, sink };
}

/** A create-message body; `to` is a Set in the SDK's types but goes on the wire as the array it is. */
function request(fields: { to: string[]; text?: string; media?: string[]; tag?: string; from?: string }): MessageRequest {
  return {
    applicationId: APP,
    to: fields.to as unknown as Set<string>,
    from: fields.from ?? FROM,
    text: fields.text ?? 'hello from the scenario tests',
    ...(fields.media ? { media: fields.media } : {}),
    ...(fields.tag !== undefined ? { tag: fields.tag } : {}),
  };
}

/** Send through the SDK; the 202 and its id. */
async function send(api: MessagesApi, fields: Parameters<typeof request>[0]): Promise<string> {
  const res = await api.createMessage(ACCOUNT, request(fields));
  expect(res.status).toBe(202);
  expect(res.data.id).toBeTruthy();
  return res.data.id!;
}

/** Wait until the journal shows this event acknowledged by the sink. */
async function arrived(running: RunningEmulator, messageId: string, recipient: string, type: string): Promise<void> {
  await running.callbacks.waitFor({ messageId, recipient, type, outcome: 'delivered' }, WAIT);
}

/** Nothing more can arrive: no step scheduled, no callback in flight, and the delivery books balance. */
function expectSettled(running: RunningEmulator): void {
  running.emulator.assertNoPending();
  expectBooksBalance(running.emulator.parts.dispatcher.stats());
}

/** The HTTP error an SDK call rejected with. */
async function httpError(
  promise: Promise<unknown>,
): Promise<{ status: number; headers: Record<string, unknown>; data: { type?: string; description?: string } }> {
  const error = (await promise.then(
    () => {
      throw new Error('expected the request to be rejected');
    },
    (e: unknown) => e,
  )) as { response?: { status: number; headers: Record<string, unknown>; data: { type?: string; description?: string } } };
  expect(error.response).toBeDefined();
  return error.response!;
}

describe('bundled scenarios', () => {
  it('on-net.yaml: a message to another of the emulator’s numbers arrives there as message-received from the sender', async () => {
    const { running, api, sink } = await start('on-net.yaml');
    const own = NUMBERS[1]!;
    const onNet = await send(api, { to: [own], text: 'hello, own number' });
    const handset = await send(api, { to: [PLAIN] });
    await arrived(running, onNet, own, 'message-delivered');
    await journaled(running, { type: 'message-received', outcome: 'delivered' }, 1);
    await arrived(running, handset, PLAIN, 'message-delivered');
    await settled(running);
    expect(sequence(running, sink, onNet, own)).toEqual(['message-delivered']);
    expect(sequence(running, sink, handset, PLAIN)).toEqual(['message-delivered']);
    const received = events(sink).filter((e) => e.type === 'message-received');
    expect(received).toMatchObject([{ to: own, message: { from: FROM, owner: own, text: 'hello, own number', direction: 'in' } }]);
    expectSettled(running);
  });

  it('content-filter.yaml: a bit.ly link fails with 4771; the sixth message of the same content with 4785; other traffic goes', async () => {
    const { running, api, sink } = await start('content-filter.yaml');
    const short = await send(api, { to: [PLAIN], text: 'see https://bit.ly/x' });
    const normal = await send(api, { to: ['+19195557010'], text: 'see https://example.com/x' });
    const same: string[] = [];
    for (let i = 0; i < 6; i++) same.push(await send(api, { to: [`+1919555702${i}`], text: 'the same again' }));
    await settled(running);
    expect(sequence(running, sink, short, PLAIN)).toEqual(['message-failed 4771']);
    expect(sequence(running, sink, normal, '+19195557010')).toEqual(['message-delivered']);
    for (let i = 0; i < 5; i++) expect(sequence(running, sink, same[i]!, `+1919555702${i}`)).toEqual(['message-delivered']);
    expect(sequence(running, sink, same[5]!, '+19195557025')).toEqual(['message-failed 4785']);
    expectSettled(running);
  });

  it('happy-path.yaml: to +1555010xxxx, SMS delivered; MMS and each group recipient sending then delivered', async () => {
    const { running, api, sink } = await start('happy-path.yaml');
    const [smsTo, mmsTo, ...groupTo] = ['+15550100001', '+15550100002', '+15550100003', '+15550100004'] as [string, string, ...string[]];
    const sms = await send(api, { to: [smsTo] });
    const mms = await send(api, { to: [mmsTo], media: ['https://example.com/cat.png'] });
    const group = await send(api, { to: groupTo });
    const other = await send(api, { to: [PLAIN] });

    await arrived(running, sms, smsTo, 'message-delivered');
    await arrived(running, mms, mmsTo, 'message-delivered');
    for (const to of groupTo) await arrived(running, group, to, 'message-delivered');
    await arrived(running, other, PLAIN, 'message-delivered');

    await settled(running);
    expect(sequence(running, sink, sms, smsTo)).toEqual(['message-delivered']);
    expect(sequence(running, sink, mms, mmsTo)).toEqual(['message-sending', 'message-delivered']);
    for (const to of groupTo) expect(sequence(running, sink, group, to)).toEqual(['message-sending', 'message-delivered']);
    expect(events(sink)).toHaveLength(1 + 2 + 4 + 1);
    // Each outcome came from the file's rules, not the emulator's default; another recipient gets the default.
    const explanations = async (id: string) =>
      (await running.messages.get(id))!.timeline.filter((t) => t.what === 'planned').map((t) => String(t.detail?.explanation));
    expect(await explanations(sms)).toEqual([expect.stringContaining("matched happy-path#2 'deliver SMS'")]);
    expect(await explanations(mms)).toEqual([expect.stringContaining("matched happy-path#0 'deliver MMS'")]);
    expect(await explanations(group)).toEqual([
      expect.stringContaining("matched happy-path#1 'deliver group messages'"),
      expect.stringContaining("matched happy-path#1 'deliver group messages'"),
    ]);
    expect(await explanations(other)).toEqual([expect.stringContaining('no scenario rule matched: default outcome')]);
    expectSettled(running);
  });

  it('carrier-rejection.yaml: +1555777xxxx gets message-failed 4720, anything else is delivered', async () => {
    const { running, api, sink } = await start('carrier-rejection.yaml');
    const landline = '+15557770042';
    const rejected = await send(api, { to: [landline] });
    const fine = await send(api, { to: [PLAIN] });

    await arrived(running, rejected, landline, 'message-failed');
    await arrived(running, fine, PLAIN, 'message-delivered');
    await settled(running);
    expect(sequence(running, sink, rejected, landline)).toEqual(['message-failed 4720']);
    expect(sequence(running, sink, fine, PLAIN)).toEqual(['message-delivered']);
    const failed = events(sink).find((e) => e.type === 'message-failed')!;
    expect(failed.to).toBe(landline);
    expect(failed.message).toMatchObject({ id: rejected, to: [landline], from: FROM, owner: FROM, direction: 'out', text: '' });
    expect(events(sink)).toHaveLength(2);
    expectSettled(running);
  });

  it('spam.yaml: a bit.ly link (any case) gets message-failed 4470; ordinary text is delivered', async () => {
    const { running, api, sink } = await start('spam.yaml');
    const spam = await send(api, { to: [PLAIN], text: 'Win big: https://bit.ly/3xYz now' });
    const shouty = await send(api, { to: ['+19195557002'], text: 'SEE HTTP://BIT.LY/ABC' });
    const ham = await send(api, { to: ['+19195557003'], text: 'see you at bitly park' });

    await arrived(running, spam, PLAIN, 'message-failed');
    await arrived(running, shouty, '+19195557002', 'message-failed');
    await arrived(running, ham, '+19195557003', 'message-delivered');
    await settled(running);
    expect(sequence(running, sink, spam, PLAIN)).toEqual(['message-failed 4470']);
    expect(sequence(running, sink, shouty, '+19195557002')).toEqual(['message-failed 4470']);
    expect(sequence(running, sink, ham, '+19195557003')).toEqual(['message-delivered']);
    expect(events(sink)).toHaveLength(3);
    expectSettled(running);
  });

  it('production-burst.yaml: throughput at 20 segments/s with a 1 s queue: a burst leaves 50 ms apart, past 20 waiting a 429', async () => {
    const { running, api, sink } = await start('production-burst.yaml');
    // Time frozen while the burst is sent, so exactly one goes at once and 20 wait; a flush then drains the queue.
    await running.time.setTimeScale(1e6);
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) ids.push(await send(api, { to: [PLAIN], text: `burst ${i}` }));
    let refused: { status?: number; data?: { type?: string }; headers?: Record<string, unknown> } | undefined;
    try {
      await api.createMessage(ACCOUNT, request({ to: [PLAIN], text: 'one too many' }));
    } catch (error) {
      refused = (error as { response?: typeof refused }).response;
    }
    expect(refused?.status).toBe(429);
    expect(refused?.data?.type).toBe('max-message-queue-size-exceeded');
    expect(Number(refused?.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await running.pending()).queued).toBe(20);
    await running.time.flush();
    await settled(running);
    const waits = await Promise.all(
      ids.map(async (id) => ((await running.messages.get(id))!.timeline.find((t) => t.what === 'dequeued')?.detail?.waitedMs as number | undefined) ?? 0),
    );
    expect(waits).toEqual(ids.map((_, i) => i * 50));
    for (const id of ids) expect(sequence(running, sink, id, PLAIN)).toEqual(['message-delivered']);
    expectSettled(running);
  });

  it('opt-out.yaml: first message delivered and the recipient answers STOP; the next one fails 4775', async () => {
    const { running, api, sink } = await start('opt-out.yaml');
    const target = '+15558880001';
    const first = await send(api, { to: [target], text: 'weekly deals inside' });
    await arrived(running, first, target, 'message-delivered');
    const stop = await running.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' }, WAIT);
    await settled(running);
    expect(sequence(running, sink, first, target)).toEqual(['message-delivered']);

    const received = events(sink).filter((e) => e.type === 'message-received');
    expect(received).toHaveLength(1);
    const reply = received[0]!;
    expect(reply.to).toBe(FROM);
    expect(reply.message).toMatchObject({ id: stop.messageId, owner: FROM, from: target, to: [FROM], text: 'STOP', direction: 'in', applicationId: APP });
    expect(reply.message.id).not.toBe(first);

    const second = await send(api, { to: [target], text: 'are you still there?' });
    await arrived(running, second, target, 'message-failed');
    await settled(running);
    expect(sequence(running, sink, second, target)).toEqual(['message-failed 4775']);
    // Only the first message drew a reply.
    expect(
      events(sink)
        .map((e) => e.type)
        .sort(),
    ).toEqual(['message-delivered', 'message-failed', 'message-received']);
    expectSettled(running);
  });

  it('toll-free-opt-out.yaml: a toll-free number’s message answered STOP; the network answers it and the next message fails 4775', async () => {
    const { running, api, sink } = await start('toll-free-opt-out.yaml');
    const tollFree = '+18335550800';
    const target = '+15558890001';
    await running.numbers.set(ACCOUNT, tollFree, { applicationId: APP });
    expect((await running.traffic.get(ACCOUNT))?.settings.optOut).toBe(true);
    const first = await send(api, { to: [target], from: tollFree, text: 'weekly deals inside' });
    await arrived(running, first, target, 'message-delivered');
    const auto = await running.callbacks.waitFor({ type: 'network-auto-reply', recipient: target }, WAIT);
    expect(auto.outcome).toBe('network');
    expect((await running.messages.get(auto.messageId))?.text).toMatch(/^NETWORK MSG: You replied with the word "stop"/);
    const stop = await running.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' }, WAIT);
    expect(events(sink).find((e) => e.type === 'message-received')?.message).toMatchObject({ id: stop.messageId, from: target, to: [tollFree], text: 'STOP' });
    const second = await send(api, { to: [target], from: tollFree, text: 'are you still there?' });
    await arrived(running, second, target, 'message-failed');
    await settled(running);
    expect(sequence(running, sink, second, target)).toEqual(['message-failed 4775']);
    // The START clears it.
    await running.inbound({ from: target, to: [tollFree], text: 'START' });
    const third = await send(api, { to: [target], from: tollFree });
    await arrived(running, third, target, 'message-delivered');
    await settled(running);
    expect(
      events(sink)
        .map((e) => e.type)
        .sort(),
    ).toEqual(['message-delivered', 'message-delivered', 'message-failed', 'message-received', 'message-received']);
    expectSettled(running);
  });

  it('mms.yaml: an MMS gets message-sending then message-delivered (an SMS just message-delivered)', async () => {
    const { running, api, sink } = await start('mms.yaml');
    const media = ['https://example.com/pictures/cat.png', 'https://example.com/pictures/dog.jpg'];
    const mms = await send(api, { to: [PLAIN], media, text: '' });
    const sms = await send(api, { to: ['+19195557002'] });

    await arrived(running, mms, PLAIN, 'message-delivered');
    await arrived(running, sms, '+19195557002', 'message-delivered');
    await settled(running);
    expect(sequence(running, sink, mms, PLAIN)).toEqual(['message-sending', 'message-delivered']);
    expect(sequence(running, sink, sms, '+19195557002')).toEqual(['message-delivered']);
    for (const e of events(sink).filter((x) => x.message.id === mms)) expect(e.message.media).toEqual(media);
    const explanation = (await running.messages.get(mms))!.timeline.find((t) => t.what === 'planned')!.detail!.explanation;
    expect(explanation).toContain("matched mms#0 'MMS sending then delivered'");
    expectSettled(running);
  });

  it('group-one-fails.yaml: +15556660002 gets sending then failed 4720; the other two sending then delivered', async () => {
    const { running, api, sink } = await start('group-one-fails.yaml');
    const group = ['+15556660001', '+15556660002', '+15556660003'];
    const id = await send(api, { to: group, text: 'team dinner at 8' });
    // The same number alone (not a group) is not matched by the rule: delivered.
    const alone = await send(api, { to: ['+15556660002'] });

    await arrived(running, id, '+15556660002', 'message-failed');
    await arrived(running, id, '+15556660001', 'message-delivered');
    await arrived(running, id, '+15556660003', 'message-delivered');
    await arrived(running, alone, '+15556660002', 'message-delivered');

    await settled(running);
    expect(sequence(running, sink, id, '+15556660001')).toEqual(['message-sending', 'message-delivered']);
    expect(sequence(running, sink, id, '+15556660002')).toEqual(['message-sending', 'message-failed 4720']);
    expect(sequence(running, sink, id, '+15556660003')).toEqual(['message-sending', 'message-delivered']);
    expect(sequence(running, sink, alone, '+15556660002')).toEqual(['message-delivered']);
    for (const e of events(sink).filter((x) => x.message.id === id)) expect(e.message.to).toEqual(group);
    expect(events(sink)).toHaveLength(7);
    // The search-facing state follows: one FAILED row with its code, two DELIVERED.
    const stored = (await running.messages.get(id))!;
    expect(stored.recipients.map((r) => [r.to, r.status, r.errorCode])).toEqual([
      ['+15556660001', 'DELIVERED', 0],
      ['+15556660002', 'FAILED', 4720],
      ['+15556660003', 'DELIVERED', 0],
    ]);
    expectSettled(running);
  });

  it('search-rate-limit.yaml: 5 searches a minute pass, the 6th gets 429 rate_limit_exceeded with Retry-After; after the window they pass', async () => {
    const { running, api } = await start('search-rate-limit.yaml');
    // Only the search limit is on: the rest of traffic keeps the fast profile.
    expect((await running.traffic.get())?.settings).toMatchObject({
      profile: 'fast',
      throughput: false,
      searchRateLimit: true,
      searchRate: { requests: 5, windowMs: 60_000 },
    });
    for (let i = 0; i < 5; i++) expect((await list(api, ACCOUNT, { messageId: 'none' })).status).toBe(200);
    const refused = await httpError(list(api, ACCOUNT, { messageId: 'none' }));
    expect(refused.status).toBe(429);
    assertMatchesSpec('messagingRequestError', refused.data);
    expect(refused.data).toEqual({
      type: 'rate_limit_exceeded',
      description: 'Rate limit exceeded. Wait for Retry-After time before sending another request.',
    });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The window closes on the emulator's clock.
    await running.time.flush();
    expect((await list(api, ACCOUNT, { messageId: 'none' })).status).toBe(200);
  });

  it("rate-limited.yaml: the first two sends tagged 'burst' get 429 (Retry-After: 1), the third a 202", async () => {
    const { running, api, sink } = await start('rate-limited.yaml');
    // An untagged send is not matched and does not use up the rule's two faults.
    const untagged = await send(api, { to: [PLAIN] });

    for (let i = 0; i < 2; i++) {
      const res = await httpError(api.createMessage(ACCOUNT, request({ to: ['+19195557002'], tag: 'burst' })));
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.data.type).toBe('max-message-queue-size-exceeded');
      expect(res.data.description).toMatch(/queue/);
    }
    const third = await send(api, { to: ['+19195557002'], tag: 'burst' });

    await arrived(running, untagged, PLAIN, 'message-delivered');
    await arrived(running, third, '+19195557002', 'message-delivered');
    await settled(running);
    expect(sequence(running, sink, third, '+19195557002')).toEqual(['message-delivered']);
    // The 429s stored nothing and sent nothing.
    expect((await running.messages.list({ direction: 'out' })).map((m) => m.id).sort()).toEqual([untagged, third].sort());
    expect(events(sink)).toHaveLength(2);
    expectSettled(running);
  });

  it("flaky-webhook.yaml: a message tagged 'idempotency' gets its message-delivered twice, identical bodies", async () => {
    const { running, api, sink } = await start('flaky-webhook.yaml');
    const id = await send(api, { to: [PLAIN], tag: 'idempotency' });
    const other = await send(api, { to: ['+19195557002'], tag: 'ordinary' });

    await journaled(running, { messageId: id, type: 'message-delivered', outcome: 'delivered' }, 2);
    await arrived(running, other, '+19195557002', 'message-delivered');
    const copies = sink.requests.filter((r) => (r.body as EventBody[])[0]?.message.id === id);
    expect(copies).toHaveLength(2);
    expect(copies[0]!.body).toEqual(copies[1]!.body);
    expect(JSON.stringify(copies[0]!.body)).toBe(JSON.stringify(copies[1]!.body));
    await settled(running);
    expect(sequence(running, sink, id, PLAIN)).toEqual(['message-delivered', 'message-delivered']);
    expect(sequence(running, sink, other, '+19195557002')).toEqual(['message-delivered']);
    // Two separate events in the journal (each its own event id), both acknowledged.
    const journal = await running.callbacks.list({ messageId: id });
    expect(journal.map((j) => [j.type, j.outcome])).toEqual([
      ['message-delivered', 'delivered'],
      ['message-delivered', 'delivered'],
    ]);
    expect(new Set(journal.map((j) => j.eventId)).size).toBe(2);
    expectSettled(running);
  });

  it('dlr-expiry.yaml: +15559990001 gets message-failed 9902 and never message-delivered', async () => {
    const { running, api, sink } = await start('dlr-expiry.yaml');
    const expired = await send(api, { to: ['+15559990001'] });
    const fine = await send(api, { to: [PLAIN] });

    await arrived(running, expired, '+15559990001', 'message-failed');
    await arrived(running, fine, PLAIN, 'message-delivered');
    await settled(running);
    expect(sequence(running, sink, expired, '+15559990001')).toEqual(['message-failed 9902']);
    expect(sequence(running, sink, fine, PLAIN)).toEqual(['message-delivered']);
    expect(await running.callbacks.list({ messageId: expired, type: 'message-delivered' })).toEqual([]);
    expectSettled(running);
  });

  it('two-factor.yaml: a text with a 6-digit code is delivered and the handset replies with the code', async () => {
    const { running, api, sink } = await start('two-factor.yaml');
    const handset = '+19195557009';
    // No 6-digit code: delivered, no reply.
    const noCode = await send(api, { to: ['+19195557008'], text: 'welcome aboard, order 12345' });
    const id = await send(api, { to: [handset], text: 'Your verification code is 482913' });

    await arrived(running, noCode, '+19195557008', 'message-delivered');
    await arrived(running, id, handset, 'message-delivered');
    const entry = await running.callbacks.waitFor({ type: 'message-received', outcome: 'delivered' }, WAIT);
    await settled(running);
    expect(sequence(running, sink, id, handset)).toEqual(['message-delivered']);
    expect(sequence(running, sink, noCode, '+19195557008')).toEqual(['message-delivered']);

    const received = events(sink).filter((e) => e.type === 'message-received');
    expect(received).toHaveLength(1);
    const reply = received[0]!;
    expect(reply.message.text).toContain('482913');
    expect(reply.message).toMatchObject({ id: entry.messageId, from: handset, to: [FROM], owner: FROM, direction: 'in' });
    expect(reply.to).toBe(FROM);
    expectSettled(running);
  });

  it('rbm-fallback.yaml: no RCS at +15556610001 falls back to SMS; +15556610002 reads the RBM message and taps a suggestion', async () => {
    const { running, api, sink } = await start('rbm-fallback.yaml');
    const multichannel = new MultiChannelApi(new Configuration({ basePath: running.url, username: USER, password: PASS }));
    const rbmSender = 'BandwidthRBM';
    const rbmThenSms = (to: string) =>
      ({
        to,
        channelList: [
          {
            from: rbmSender,
            applicationId: APP,
            channel: 'RBM',
            content: { text: 'Your order shipped', suggestions: [{ type: 'REPLY', text: 'Yes', postbackData: 'eWVz' }] },
          },
          { from: FROM, applicationId: APP, channel: 'SMS', content: { text: 'Your order shipped' } },
        ],
      }) as unknown as MultiChannelMessageRequest;
    const sendMultiChannel = async (to: string): Promise<string> => {
      const res = await multichannel.createMultiChannelMessage(ACCOUNT, rbmThenSms(to));
      expect(res.status).toBe(202);
      return (res.data as unknown as { data: { id: string } }).data.id;
    };
    const noRcs = '+15556610001';
    const reader = '+15556610002';
    const fellBack = await sendMultiChannel(noRcs);
    const read = await sendMultiChannel(reader);
    // A plain SMS to the no-RCS number is not matched (the rules match the RBM channel only): delivered.
    const plain = await send(api, { to: [noRcs] });

    await arrived(running, fellBack, noRcs, 'message-delivered');
    await arrived(running, read, reader, 'message-read');
    await arrived(running, plain, noRcs, 'message-delivered');
    const tap = await running.callbacks.waitFor({ type: 'suggestion-response', outcome: 'delivered' }, WAIT);
    await settled(running);

    // Fallback: the failed RBM attempt sends nothing; the SMS channel's delivery carries channel SMS and its number.
    expect(sequence(running, sink, fellBack, noRcs)).toEqual(['message-delivered']);
    const smsEvent = events(sink).find((e) => e.message.id === fellBack) as EventBody & { message: { channel?: string } };
    expect(smsEvent.message).toMatchObject({ channel: 'SMS', from: FROM, owner: FROM });
    const stored = (await running.messages.get(fellBack))!;
    expect(stored).toMatchObject({ channel: 'SMS', recipients: [expect.objectContaining({ status: 'DELIVERED' })] });
    expect(stored.timeline.find((t) => t.what === 'fallback')?.detail).toMatchObject({ from: 'RBM', to: 'SMS', errorCode: 4720 });
    expect(JSON.stringify(stored.timeline.find((t) => t.what === 'planned')?.detail)).toContain("rbm-fallback#0 'handset without RCS'");

    // RBM: sending, delivered, read, all on the RBM channel from the sender id.
    expect(sequence(running, sink, read, reader)).toEqual(['message-sending', 'message-delivered', 'message-read']);
    for (const e of events(sink).filter((x) => x.message.id === read)) expect(e.message).toMatchObject({ channel: 'RBM', from: rbmSender, owner: rbmSender });

    // The tap: one inbound suggestion-response from the handset to the sender id, paired with the RBM message.
    const responses = events(sink).filter((e) => e.type === 'suggestion-response');
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({
      to: rbmSender,
      message: {
        id: tap.messageId,
        direction: 'in',
        channel: 'RBM',
        from: reader,
        owner: rbmSender,
        applicationId: APP,
        suggestionResponse: { text: 'Yes', postbackData: 'eWVz', pairedMessageId: read },
      },
    });

    expect(sequence(running, sink, plain, noRcs)).toEqual(['message-delivered']);
    expect(events(sink)).toHaveLength(1 + 3 + 1 + 1);
    expectSettled(running);
  });

  it('receipt-disorder.yaml: sending after delivered, a stale sending after delivered, a receipt right after the 202, 9902 after its 2 s window', async () => {
    const { running, api, sink } = await start('receipt-disorder.yaml');
    expect((await running.traffic.get())?.settings.receiptWindowMs).toBe(2000);
    const late = await send(api, { to: ['+15556620001'] });
    const stale = await send(api, { to: ['+15556620002'] });
    const early = await send(api, { to: ['+15556620003'] });
    const none = await send(api, { to: ['+15556620004'] });
    await arrived(running, none, '+15556620004', 'message-failed');
    await settled(running);
    // Arrival order at the receiver: the disorder is the point.
    const arrivals = (id: string) =>
      events(sink)
        .filter((e) => e.message.id === id)
        .map((e) => e.type + (e.errorCode !== undefined ? ` ${e.errorCode}` : ''));
    expect(arrivals(late)).toEqual(['message-delivered', 'message-sending']);
    expect(arrivals(stale)).toEqual(['message-sending', 'message-delivered', 'message-sending']);
    expect(arrivals(early)).toEqual(['message-delivered']);
    expect(arrivals(none)).toEqual(['message-failed 9902']);
    const [lateSending] = await running.callbacks.list({ messageId: late, type: 'message-sending', outcome: 'delivered' });
    expect(lateSending!.explanation).toMatch(/^scripted disorder \(callbackFaults\.sendingAfterFinal\)/);
    expectSettled(running);
  });

  it('every bundled scenario file has a test above', () => {
    expect(BUNDLED).toEqual(TESTED);
  });
});

describe('magic numbers, no scenario loaded', () => {
  it('+15551004720 gets message-failed 4720', async () => {
    const { running, api, sink } = await start();
    const to = '+15551004720';
    const id = await send(api, { to: [to] });
    await arrived(running, id, to, 'message-failed');
    await settled(running);
    expect(sequence(running, sink, id, to)).toEqual(['message-failed 4720']);
    expect(events(sink)).toHaveLength(1);
    expectSettled(running);
  });

  it('+15552000000 never gets a delivery receipt (a later message is delivered meanwhile)', async () => {
    const { running, api, sink } = await start();
    const lost = await send(api, { to: ['+15552000000'] });
    // As an MMS it still gets message-sending, and nothing after it.
    const lostMms = await send(api, { to: ['+15552000001'], media: ['https://example.com/a.png'] });
    const later = await send(api, { to: [PLAIN] });
    // The later message was accepted after the lost one with the same delays: its receipt comes after any the lost one
    // could have had.
    await arrived(running, later, PLAIN, 'message-delivered');
    await settled(running);
    expectSettled(running);
    const journal = await running.callbacks.list({ messageId: lost });
    expect(journal.filter((j) => j.type === 'message-delivered' || j.type === 'message-failed')).toEqual([]);
    expect(journal).toEqual([]);
    expect(sequence(running, sink, lostMms, '+15552000001')).toEqual(['message-sending']);
    expect((await running.callbacks.list({ messageId: lostMms })).map((j) => j.type)).toEqual(['message-sending']);
    expect(
      events(sink)
        .map((e) => e.message.id)
        .sort(),
    ).toEqual([lostMms, later].sort());
    const stored = (await running.messages.get(lost))!;
    expect(stored.recipients.map((r) => r.status)).toEqual(['QUEUED']);
    expect(stored.timeline.find((t) => t.what === 'planned')!.detail!.explanation).toContain('no delivery receipt');
  });

  it('+15554000000 gets message-delivered twice', async () => {
    const { running, api, sink } = await start();
    const to = '+15554000000';
    const id = await send(api, { to: [to] });
    await journaled(running, { messageId: id, type: 'message-delivered', outcome: 'delivered' }, 2);
    await settled(running);
    expectSettled(running);
    expect(sequence(running, sink, id, to)).toEqual(['message-delivered', 'message-delivered']);
    expect(sink.requests[0]!.body).toEqual(sink.requests[1]!.body);
    expect((await running.callbacks.list({ messageId: id })).map((j) => [j.type, j.outcome])).toEqual([
      ['message-delivered', 'delivered'],
      ['message-delivered', 'delivered'],
    ]);
  });
});

// Regression: happy-path.yaml ended in a rule with no conditions; the folder loads in name order, so it shadowed
// mms.yaml, opt-out.yaml, rbm-fallback.yaml, spam.yaml and two-factor.yaml, and every magic number, with no warning.
describe('the whole scenarios/ folder loaded at once', () => {
  it('no rule is shadowed: the scenario listing marks none unreachable', async () => {
    const { running } = await start('*');
    const { scenarios } = await running.scenarios.list();
    expect(scenarios.map((s) => `${s.name}.yaml`)).toEqual(TESTED.filter((f) => WITHOUT_TRAFFIC.includes(f)));
    expect(WITHOUT_TRAFFIC).not.toContain('on-net.yaml');
    for (const scenario of scenarios) for (const rule of scenario.rules) expect(rule.unreachable, rule.id).toBeUndefined();
  });

  it('every magic number keeps its outcome, SMS and MMS, whatever text, tag or media the message has', async () => {
    const { running, api, sink } = await start('*');
    const failed = await send(api, { to: ['+15551004720'] });
    // mms.yaml (media), spam.yaml (text), flaky-webhook.yaml (tag) and happy-path.yaml match on something else than
    // `to` for these: the magic number comes first.
    const failedMms = await send(api, { to: ['+15551004470'], media: ['https://example.com/a.png'] });
    const spammy = await send(api, { to: ['+15551004720'], text: 'see https://bit.ly/x' });
    const tagged = await send(api, { to: ['+15554000000'], tag: 'idempotency' });
    const lost = await send(api, { to: ['+15552000000'] });
    const late = await send(api, { to: ['+15553000002'] });

    await arrived(running, failed, '+15551004720', 'message-failed');
    await arrived(running, failedMms, '+15551004470', 'message-failed');
    await arrived(running, spammy, '+15551004720', 'message-failed');
    await journaled(running, { messageId: tagged, type: 'message-delivered', outcome: 'delivered' }, 2);
    await arrived(running, late, '+15553000002', 'message-delivered');
    await settled(running);
    expect(sequence(running, sink, failed, '+15551004720')).toEqual(['message-failed 4720']);
    expect(sequence(running, sink, failedMms, '+15551004470')).toEqual(['message-sending', 'message-failed 4470']);
    expect(sequence(running, sink, spammy, '+15551004720')).toEqual(['message-failed 4720']);
    expect(sequence(running, sink, tagged, '+15554000000')).toEqual(['message-delivered', 'message-delivered']);
    expect(await running.callbacks.list({ messageId: lost })).toEqual([]);
    expect(sequence(running, sink, late, '+15553000002')).toEqual(['message-delivered']);
    const explanation = String((await running.messages.get(spammy))!.timeline.find((t) => t.what === 'planned')!.detail!.explanation);
    expect(explanation).toContain('magic number +15551004720: message-failed 4720');
    expect(explanation).toContain("spam#0 'shortened links look like spam' skipped: +15551004720 is a magic number and the rule does not match on to");
    expectSettled(running);
  });

  it("every file's own example still works next to the others", async () => {
    const { running, api, sink } = await start('*');
    const mms = await send(api, { to: [PLAIN], media: ['https://example.com/a.png'] });
    const spam = await send(api, { to: ['+19195557002'], text: 'see https://bit.ly/x' });
    const code = await send(api, { to: ['+19195557003'], text: 'Your code is 482913' });
    const optOut = await send(api, { to: ['+15558880001'] });
    const landline = await send(api, { to: ['+15557770042'] });
    const happy = await send(api, { to: ['+15550100001'] });

    await arrived(running, mms, PLAIN, 'message-delivered');
    await arrived(running, spam, '+19195557002', 'message-failed');
    await arrived(running, landline, '+15557770042', 'message-failed');
    await arrived(running, happy, '+15550100001', 'message-delivered');
    await journaled(running, { type: 'message-received', outcome: 'delivered' }, 2);
    await settled(running);
    const matched = async (id: string) =>
      String((await running.messages.get(id))!.timeline.find((t) => t.what === 'planned')!.detail!.explanation).match(/^matched (\S+)/)?.[1];
    expect(await matched(mms)).toBe('mms#0');
    expect(await matched(spam)).toBe('spam#0');
    expect(await matched(code)).toBe('two-factor#0');
    expect(await matched(optOut)).toBe('opt-out#0');
    expect(await matched(landline)).toBe('carrier-rejection#0');
    expect(await matched(happy)).toBe('happy-path#2');
    expect(
      events(sink)
        .filter((e) => e.type === 'message-received')
        .map((e) => e.message.text)
        .sort(),
    ).toEqual(['My code is Your code is 482913', 'STOP']);
    expectSettled(running);
  });
});
